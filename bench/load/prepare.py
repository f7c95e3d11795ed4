"""Write what the load scenario needs (bench/load/locustfile.py) to a JSON file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_load \
        uv run python bench/load/prepare.py --out /tmp/load_data.json

For the demo accounts: an API token each (officers log in once a day; the login endpoint is
throttled per address and is not what is measured), for each desk officer the procedures
its desk can receive (tried in a transaction that is rolled back), a sample of existing
dossier codes for the public lookup and procedure codes for the catalog pages.
"""

import argparse
import json
import os
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--lookups", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    os.environ.setdefault("CCHC_CLI_EPHEMERAL_KEY", "1")
    import django

    django.setup()
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from cchc.catalog.models import Procedure
    from cchc.errors import DomainError
    from cchc.onestop import services
    from cchc.onestop.models import Dossier
    from cchc.org.models import Membership, Role, User

    applicant = {"name": "Nguyễn Văn Thử", "id_number": "087090001234", "phone": "0912345678",
                 "email": "", "address": "Đồng Tháp"}
    users = {"desk": [], "specialist": [], "leader": [], "home_affairs": []}
    roles = {Role.DESK_OFFICER: "desk", Role.SPECIALIST: "specialist", Role.LEADER: "leader"}
    procedures = list(Procedure.objects.order_by("code"))
    for user in User.objects.filter(is_active=True).order_by("username"):
        token = Token.objects.get_or_create(user=user)[0].key
        memberships = list(Membership.objects.filter(user=user).select_related("agency"))
        for m in memberships:
            kind = roles.get(m.role)
            if kind == "desk" and m.agency is not None:
                receivable = []
                for procedure in procedures:
                    try:
                        with transaction.atomic():
                            services.receive_dossier(agency=m.agency, procedure=procedure,
                                                     applicant=applicant, actor=user)
                            transaction.set_rollback(True)
                        receivable.append(procedure.code)
                    except DomainError:
                        pass
                if receivable:
                    users["desk"].append({"username": user.username, "token": token,
                                          "agency": m.agency.code, "procedures": receivable})
            elif kind in ("specialist", "leader"):
                users[kind].append({"username": user.username, "token": token})
        if user.username.startswith("noivu.tinh"):
            users["home_affairs"].append({"username": user.username, "token": token,
                                          "unit": "82"})
    codes = list(Dossier.objects.order_by("?").values_list("code", flat=True)[:args.lookups])
    random.shuffle(codes)
    data = {"users": users, "lookup_codes": codes,
            "catalog_codes": [p.code for p in procedures]}
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
    print({k: len(v) for k, v in users.items()}, len(codes), "codes;",
          {u["username"]: len(u["procedures"]) for u in users["desk"]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
