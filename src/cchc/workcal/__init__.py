"""Working calendar and deadline arithmetic (lịch làm việc, thời hạn giải quyết).

Other apps call ``cchc.workcal.deadlines`` (compute_due, explain_due,
working_time_between, add_working_time, next_opening, is_working_day) and read the
calendar through ``cchc.workcal.selectors``; they never touch the models.

Choices where RULES §6 is silent (what a careful one-stop officer would expect):
- Office intervals are half-open: a reception at 11:30:00 or 17:00:00 sharp is outside
  office hours and counts from the next opening. A count that *ends* exactly at a closing
  instant is due at that instant (the earliest moment the time is used up).
- Same-day procedures: "nhận sau 15 giờ" means strictly after the cut-off, judged on the
  effective reception instant (a reception at lunch counts from 13:30, so with a 15:00
  cut-off it is still due the same day).
- The shipped schedules override every day listed in the official letters (weekend days
  inside a range too), not only the days the ``holidays`` package gets wrong, so that the
  reference of the letter is shown for each of them and a change of the package cannot
  change a listed day. Statutory days not listed (1/1/2024, Giỗ Tổ 18/4/2024, ...) come
  from the package.
- 24/11 (Ngày Văn hóa Việt Nam) ships without an override: the package decides (off from
  2026). ``services.set_cultural_day`` and the admin page "Ngày Văn hóa Việt Nam" switch it
  per year.
- The calendar covers 2000-2100; day counts are multiples of 0.5 up to 1,000.
"""
