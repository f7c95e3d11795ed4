"""After a load or fault run: are the numbers that must be gap-free still gap-free, and did the
retrying client get every dossier exactly once?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_load \
        uv run python bench/load/check_sequences.py [--ledger /tmp/load_ledger.csv]

Checks (exit 1 on any problem):
1. dossier codes ``<desk>-<YYMMDD>-<NNNN>``: per desk and day the numbers are exactly 1..N,
   each once, N = the desk's daily counter (``DailySequence.last``), the code's desk the
   dossier's receiving desk;
2. register entry numbers: each book holds exactly first_number..last_number, and the books
   of one unit, event type and year continue each other from 1 without a gap;
3. with ``--ledger`` (written by bench/load/locustfile.py: key, code answered, status, ...):
   every key the client saw succeed has exactly one dossier on the server, the one whose
   code the client was given; no two keys share a dossier; a key the client gave up on has
   at most one dossier (reported: the client does not know it exists).
"""

import argparse
import collections
import csv
import os
import sys


def check_dossier_codes() -> tuple[list[str], dict]:
    from cchc.onestop.models import DailySequence, Dossier

    problems = []
    numbers = collections.defaultdict(list)
    agency_codes = {}
    rows = Dossier.objects.values_list("code", "receiving_agency_id",
                                       "receiving_agency__code").iterator(chunk_size=20000)
    total = 0
    for code, agency_id, agency_code in rows:
        total += 1
        desk, _, rest = code.partition("-")
        day, _, number = rest.partition("-")
        if desk != agency_code or not (day.isdigit() and number.isdigit()):
            problems.append(f"mã {code}: không khớp nơi tiếp nhận {agency_code}")
            continue
        agency_codes[agency_id] = agency_code
        numbers[(agency_id, day)].append(int(number))
    counters = {(a, d.strftime("%y%m%d")): last
                for a, d, last in DailySequence.objects.values_list("agency_id", "day", "last")}
    for (agency_id, day), got in numbers.items():
        expected = list(range(1, len(got) + 1))
        if sorted(got) != expected:
            dupes = sorted(n for n, c in collections.Counter(got).items() if c > 1)
            missing = sorted(set(range(1, max(got) + 1)) - set(got))[:10]
            problems.append(f"{agency_codes[agency_id]} ngày {day}: {len(got)} hồ sơ, số lớn nhất "
                            f"{max(got)}, trùng {dupes[:10]}, thiếu {missing}")
        counter = counters.get((agency_id, day))
        if counter is not None and counter != len(got):
            problems.append(f"{agency_codes[agency_id]} ngày {day}: bộ đếm {counter} nhưng có "
                            f"{len(got)} hồ sơ")
    return problems, {"dossiers": total, "desk_days": len(numbers)}


def check_register_numbers() -> tuple[list[str], dict]:
    from cchc.civil.models import RegisterBook, RegisterEntry

    problems = []
    by_book = collections.defaultdict(list)
    for book_id, number in RegisterEntry.objects.values_list("book_id", "number").iterator(
            chunk_size=20000):
        by_book[book_id].append(number)
    series = collections.defaultdict(list)
    books = RegisterBook.objects.values_list("id", "unit_id", "event_type", "year", "volume",
                                             "first_number", "last_number")
    for book_id, unit_id, event_type, year, volume, first, last in books:
        series[(unit_id, event_type, year)].append((first, last, volume))
        got = sorted(by_book.get(book_id, []))
        if got != list(range(first, last + 1)):
            missing = sorted(set(range(first, last + 1)) - set(got))[:10]
            extra = sorted(set(got) - set(range(first, last + 1)))[:10]
            problems.append(f"sổ {book_id} ({event_type} {year} quyển {volume}): số "
                            f"{first}..{last}, có {len(got)} mục, thiếu {missing}, thừa {extra}")
    for key, volumes in series.items():
        expected_first = 1
        for first, last, volume in sorted(volumes):
            if first != expected_first:
                problems.append(f"chuỗi sổ {key}: quyển {volume} bắt đầu từ {first}, cần "
                                f"{expected_first}")
            expected_first = max(last, first - 1) + 1
    return problems, {"entries": sum(len(v) for v in by_book.values()), "books": len(books)}


def check_ledger(path: str) -> tuple[list[str], dict]:
    from cchc.onestop.models import ReceiptKey

    problems = []
    rows = list(csv.reader(open(path, encoding="utf-8")))
    answered = {r[0]: r[1] for r in rows if r[1]}
    gave_up = [r[0] for r in rows if not r[1]]
    server = collections.defaultdict(list)
    keys = set(answered) | set(gave_up)
    for key, code in ReceiptKey.objects.filter(key__in=keys).values_list("key", "dossier__code"):
        server[key].append(code)
    for key, code in answered.items():
        if server.get(key) != [code]:
            problems.append(f"khóa {key}: máy khách nhận {code}, máy chủ có {server.get(key)}")
    codes = collections.Counter(code for codes in server.values() for code in codes)
    problems += [f"hồ sơ {c} thuộc {n} khóa" for c, n in codes.items() if n > 1]
    unknown = [k for k in gave_up if server.get(k)]
    stats = {"receptions_answered": len(answered), "answered_on_a_retry": sum(
        1 for r in rows if r[1] and r[3] != "0"), "replayed_200": sum(
        1 for r in rows if r[2] == "200"), "gave_up": len(gave_up),
        "gave_up_but_created": len(unknown)}
    return problems, stats


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    os.environ.setdefault("CCHC_CLI_EPHEMERAL_KEY", "1")
    import django

    django.setup()
    problems = []
    for name, (found, stats) in [("dossier codes", check_dossier_codes()),
                                 ("register numbers", check_register_numbers())] + (
            [("ledger", check_ledger(args.ledger))] if args.ledger else []):
        print(f"{name}: {stats}; {len(found)} problem(s)")
        for line in found[:20]:
            print("  ", line)
        problems += found
    print("OK" if not problems else f"FAIL: {len(problems)} problem(s)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
