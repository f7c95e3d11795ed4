"""Personal data per Nghị định 13/2023/NĐ-CP: show people's identifiers only to those who
need them, and record who searched for people.

Masking keeps enough to tell two people apart on a list (the first and last digits) and no
more: ``087090001234`` -> ``0870******34``, ``0912345678`` -> ``091*****78``.
"""

from cchc.org.models import Role

from .permissions import memberships

# The staff who handle a dossier and must reach the applicant: the desk, the specialist and
# the leader of the dossier's unit. Inspectors, Home Affairs and report readers see masks.
CONTACT_ROLES = (Role.DESK_OFFICER, Role.SPECIALIST, Role.LEADER)


def mask_id(value: str) -> str:
    value = value or ""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_phone(value: str) -> str:
    value = value or ""
    if len(value) <= 5:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def mask_email(value: str) -> str:
    name, at, domain = (value or "").partition("@")
    if not at:
        return mask_id(value)
    return (name[:1] + "***" if name else "") + "@" + domain


def can_see_contact(user, unit_id: int) -> bool:
    """Whether ``user`` handles records of unit ``unit_id`` (not merely sees them)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return memberships(user).filter(unit_id=unit_id, role__in=CONTACT_ROLES).exists()


def applicant_contact(user, unit_id: int, *, id_number: str, phone: str, email: str,
                      address: str) -> dict:
    """The applicant's identifiers as ``user`` may see them."""
    if can_see_contact(user, unit_id):
        return {"id_number": id_number, "phone": phone, "email": email, "address": address,
                "masked": False}
    return {"id_number": mask_id(id_number), "phone": mask_phone(phone),
            "email": mask_email(email), "address": "", "masked": True}
