"""A working day of a merged province at its peak hour (bench/README.md "load").

    uv run locust -f bench/load/locustfile.py --headless -H http://127.0.0.1:8000 \
        -u 40 -r 10 -t 3m --csv /tmp/load/run

Who does what (users are spawned in these fixed numbers; pacing per user in brackets):
- desk officers (12, one action every 4 s): receive a dossier (with an ``Idempotency-Key``,
  retried on a lost answer), open their queue, open a dossier, hand the first step on,
  hand results back to citizens;
- specialists (8, every 5 s): their queue, a dossier and its history, hand it on to the leader;
- leaders (4, every 6 s): their queue, approve;
- citizens (14, every 3 s): look a dossier up by the code on their receipt, read the
  procedure catalog (list, search, a procedure's page);
- Home Affairs (2, every 20 s): the timeliness report and the dashboard of the province.

Accounts, tokens, receivable procedures and sample codes come from ``bench/load/prepare.py``
(``LOAD_DATA``, default /tmp/load_data.json). Every reception's key and the code the server
answered are appended to ``LOAD_LEDGER`` (default /tmp/load_ledger.csv) for
``bench/load/check_sequences.py``. ``LOAD_SCALE=0.5`` halves every kind of user;
``LOAD_NO_DASHBOARD=1`` leaves the provincial dashboard out
(35 s per request on the test machine: see bench/README.md).

Expected answers that are not errors: 409 when another officer acted on the same dossier
first (``stale_version``, ``invalid_transition``), 403 when a dossier in a queue is held by
another agency's step. A reception is retried with the same key after a connection error,
a timeout, 502/503/504 or a 500, up to 8 times with back-off (0.5 s doubling, capped at 5 s).
"""

import csv
import datetime
import json
import os
import random
import threading
import time
import uuid

from locust import HttpUser, between, constant_pacing, events, task

DATA = json.load(open(os.environ.get("LOAD_DATA", "/tmp/load_data.json"), encoding="utf-8"))
LEDGER = os.environ.get("LOAD_LEDGER", "/tmp/load_ledger.csv")
_ledger_lock = threading.Lock()
RETRYABLE = {0, 500, 502, 503, 504}
# LOAD_SCALE multiplies the number of users of every kind (1 = the 40 users described above).
SCALE = float(os.environ.get("LOAD_SCALE", "1"))


def _users(n: int) -> int:
    return max(1, round(n * SCALE))

OUTCOMES = {"retries": 0, "replayed": 0, "gave_up": 0, "conflicts": 0}

APPLICANTS = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Nam", "Phạm Thị Thu Hà",
              "Huỳnh Văn Tài", "Võ Thị Mỹ Linh", "Đặng Quốc Bảo", "Bùi Thị Ngọc Ánh"]
SEARCHES = ["khai sinh", "ket hon", "chung thuc", "giấy phép", "đất đai", "ho kinh doanh",
            "trich luc", "khai tu"]


def _ledger(row):
    with _ledger_lock, open(LEDGER, "a", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow(row)


@events.quitting.add_listener
def _report(environment, **kwargs):
    print("outcomes:", json.dumps(OUTCOMES))


class Officer(HttpUser):
    abstract = True
    kind = ""
    _index = {}

    def on_start(self):
        pool = DATA["users"][self.kind]
        n = Officer._index.get(self.kind, 0)
        Officer._index[self.kind] = n + 1
        self.account = pool[n % len(pool)]
        self.client.headers["Authorization"] = f"Token {self.account['token']}"
        self.client.headers["Accept-Language"] = "vi"

    def queue(self, name="mine"):
        with self.client.get(f"/api/v1/dossiers/?queue={name}", name=f"queue {name} [{self.kind}]",
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return []
            return response.json()["results"]

    def act(self, dossier, action, label, **params):
        body = {"action": action, "version": dossier["version"], **params}
        with self.client.post(f"/api/v1/dossiers/{dossier['code']}/actions/", json=body,
                              name=f"action {label}", catch_response=True) as response:
            if response.status_code in (403, 409):
                OUTCOMES["conflicts"] += 1
                response.success()
            elif response.status_code != 200:
                response.failure(f"{response.status_code} {response.text[:200]}")

    def open(self, dossier, history=False):
        self.client.get(f"/api/v1/dossiers/{dossier['code']}/", name="dossier detail")
        if history:
            self.client.get(f"/api/v1/dossiers/{dossier['code']}/history/",
                            name="dossier history")


class DeskOfficer(Officer):
    kind = "desk"
    fixed_count = _users(12)
    wait_time = constant_pacing(4)

    @task(4)
    def receive(self):
        key = f"load-{uuid.uuid4().hex}"
        body = {"agency": self.account["agency"],
                "procedure": random.choice(self.account["procedures"]),
                "channel": random.choice([1, 1, 1, 3]),
                "applicant": {"name": random.choice(APPLICANTS), "id_number": "087090001234",
                              "phone": "0912345678", "email": "", "address": "Đồng Tháp"},
                "request": "", "sets": 1}
        delay = 0.5
        for attempt in range(8):
            with self.client.post("/api/v1/dossiers/", json=body, name="receive dossier",
                                  headers={"Idempotency-Key": key}, catch_response=True,
                                  timeout=30) as response:
                status = response.status_code
                if status in (200, 201):
                    code = response.json()["code"]
                    if status == 200:
                        OUTCOMES["replayed"] += 1
                    _ledger([key, code, status, attempt, self.account["agency"],
                             datetime.datetime.now().isoformat(timespec="seconds")])
                    return
                if status not in RETRYABLE:
                    response.failure(f"{status} {response.text[:200]}")
                    return
                response.failure(f"{status} (retrying)")
            OUTCOMES["retries"] += 1
            time.sleep(delay)
            delay = min(delay * 2, 5)
        OUTCOMES["gave_up"] += 1
        _ledger([key, "", "gave_up", 8, self.account["agency"], ""])

    @task(4)
    def work_queue(self):
        self.queue("mine")

    @task(2)
    def hand_on(self):
        rows = [d for d in self.queue("mine") if d["status"] == 2]
        if rows:
            dossier = random.choice(rows)
            self.open(dossier)
            self.act(dossier, "transfer", "transfer [desk]", note="Đủ hồ sơ, chuyển xử lý")

    @task(1)
    def hand_back(self):
        rows = [d for d in self.queue("mine") if d["status"] == 9]
        if rows:
            self.act(random.choice(rows), "return_result", "return result [desk]")


class Specialist(Officer):
    kind = "specialist"
    fixed_count = _users(8)
    wait_time = constant_pacing(5)

    @task(3)
    def work_queue(self):
        self.queue(random.choice(["mine", "mine", "due_soon", "overdue"]))

    @task(3)
    def process(self):
        rows = [d for d in self.queue("mine") if d["status"] in (2, 4)]
        if rows:
            dossier = random.choice(rows)
            self.open(dossier, history=True)
            self.act(dossier, "transfer", "transfer [specialist]", note="Đề xuất giải quyết")


class Leader(Officer):
    kind = "leader"
    fixed_count = _users(4)
    wait_time = constant_pacing(6)

    @task(2)
    def work_queue(self):
        self.queue(random.choice(["mine", "overdue"]))

    @task(3)
    def approve(self):
        rows = [d for d in self.queue("mine") if d["status"] == 4]
        if rows:
            dossier = random.choice(rows)
            self.open(dossier)
            self.act(dossier, "approve", "approve [leader]")


class Citizen(HttpUser):
    fixed_count = _users(14)
    wait_time = between(2, 4)

    def on_start(self):
        self.client.headers["Accept-Language"] = "vi"

    @task(5)
    def lookup(self):
        code = random.choice(DATA["lookup_codes"])
        self.client.get(f"/api/v1/public/dossiers/{code}/", name="public lookup")

    @task(2)
    def catalog(self):
        self.client.get(f"/thu-tuc/?q={random.choice(SEARCHES)}", name="catalog search page")

    @task(2)
    def procedure(self):
        code = random.choice(DATA["catalog_codes"])
        self.client.get(f"/thu-tuc/{code}/", name="procedure page")

    @task(1)
    def procedures_api(self):
        self.client.get(f"/api/v1/procedures/?search={random.choice(SEARCHES)}",
                        name="procedures api search")


class HomeAffairs(Officer):
    kind = "home_affairs"
    fixed_count = _users(2)
    wait_time = constant_pacing(20)

    @task(2)
    def timeliness(self):
        today = datetime.date.today()
        start = today.replace(day=1) if random.random() < 0.5 else today.replace(month=1, day=1)
        self.client.get(f"/api/v1/reports/timeliness/?from={start}&to={today}&unit=82",
                        name="report timeliness", timeout=120)

    @task(0 if os.environ.get("LOAD_NO_DASHBOARD") else 1)
    def dashboard(self):
        today = datetime.date.today()
        self.client.get(f"/api/v1/reports/dashboard/?from={today.replace(month=1, day=1)}"
                        f"&to={today}&unit=82", name="report dashboard", timeout=120)
