"""Writes of the portal: its tree, the Wagtail groups and workflows derived from org
Memberships, articles created outside the admin (import, demo), and the posting policy."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cchc.core.permissions import has_role, memberships
from cchc.errors import Forbidden, InvalidInput
from cchc.org.models import AdministrativeUnit, Era, Level, Membership, Role, User
from cchc.textfold import fold

from .models import ArticlePage, CategoryIndexPage, NewsHomePage, PostingPolicy, UnitSectionPage

DEFAULT_CATEGORIES = [
    ("Tin hoạt động", "tin-hoat-dong"),
    ("Văn bản chỉ đạo điều hành", "van-ban-chi-dao-dieu-hanh"),
    ("Tuyên truyền cải cách hành chính", "tuyen-truyen-cchc"),
    ("Chuyển đổi số", "chuyen-doi-so"),
    ("Kiểm tra cải cách hành chính", "kiem-tra-cchc"),
]

# Names stored in the database (groups, workflows): content in Vietnamese, not translated.
PROVINCE_EDITORS_GROUP = "Biên tập cổng tin tỉnh"
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
APPROVER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
MEDIA_PERMISSIONS = [("wagtailimages", "add_image"), ("wagtailimages", "choose_image"),
                     ("wagtaildocs", "add_document"), ("wagtaildocs", "choose_document")]


def ascii_slug(text: str, max_length: int = 80) -> str:
    return slugify(fold(text))[:max_length].strip("-") or "bai-viet"


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _grant(group: Group, page: Page, codenames: list[str]) -> None:
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_permission("wagtailcore", codename))
    group.permissions.add(_permission("wagtailadmin", "access_admin"))
    root = Collection.get_first_root_node()
    for app_label, codename in MEDIA_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=_permission(app_label, codename))


def _unique_slug(parent: Page, base: str) -> str:
    slug, n = base, 1
    siblings = set(parent.get_children().values_list("slug", flat=True))
    while slug in siblings:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _publish(page: Page, user=None) -> Page:
    page.save_revision(user=user, log_action=False).publish(user=user, log_action=False)
    page.refresh_from_db()
    return page


@transaction.atomic
def ensure_portal(province: AdministrativeUnit, *, title: str | None = None) -> NewsHomePage:
    """The province's portal home with the default categories, made the default Wagtail Site's
    root (served under /tin-tuc/), and its province-wide editors group. Idempotent."""
    home = NewsHomePage.objects.filter(province=province).first()
    if home is None:
        root = Page.get_first_root_node()
        home = NewsHomePage(
            title=title or f"Cổng thông tin cải cách hành chính {province.name}",
            slug=_unique_slug(root, f"cchc-{ascii_slug(province.name)}"), province=province,
            intro="Tin tức, văn bản chỉ đạo điều hành và tuyên truyền cải cách hành chính "
                  "của tỉnh và các địa phương.",
        )
        root.add_child(instance=home)
        home = _publish(home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name=home.title)
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = home.title
        site.save()
        # Wagtail's placeholder "Welcome" page, if nothing was built under it.
        if (old_root.content_type.model_class() is Page and old_root.depth == 2
                and not old_root.get_children().exists()):
            old_root.delete()
    for name, slug in DEFAULT_CATEGORIES:
        if not CategoryIndexPage.objects.child_of(home).filter(slug=slug).exists():
            category = CategoryIndexPage(title=name, slug=slug)
            home.add_child(instance=category)
            _publish(category)
    if home.editors_group_id is None:
        group, _created = Group.objects.get_or_create(name=PROVINCE_EDITORS_GROUP)
        home.editors_group = group
        NewsHomePage.objects.filter(pk=home.pk).update(editors_group=group)
    _grant(home.editors_group, home, APPROVER_PAGE_PERMISSIONS)
    return home


def _group_name(prefix: str, unit: AdministrativeUnit) -> str:
    return f"{prefix} - {unit.name} ({unit.key})"


@transaction.atomic
def ensure_unit_section(home: NewsHomePage, unit: AdministrativeUnit, *,
                        title: str | None = None) -> UnitSectionPage:
    """The unit's section with its editors and approvers groups, their permissions and the
    section's moderation workflow; then syncs the unit's staff into the groups. Idempotent."""
    section = UnitSectionPage.objects.filter(unit=unit).first()
    if section is None:
        era = " (trước 01/7/2025)" if unit.era == Era.PRE_2025 else ""
        section = UnitSectionPage(
            title=title or f"{unit.name}{era}", unit=unit,
            slug=_unique_slug(home, ascii_slug(unit.name + ("-cu" if era else ""))),
        )
        home.add_child(instance=section)
        section = _publish(section)
    editors, _created = Group.objects.get_or_create(name=_group_name("Biên tập", unit))
    approvers, _created = Group.objects.get_or_create(name=_group_name("Duyệt", unit))
    if (section.editors_group_id, section.approvers_group_id) != (editors.pk, approvers.pk):
        UnitSectionPage.objects.filter(pk=section.pk).update(
            editors_group=editors, approvers_group=approvers)
        section.editors_group, section.approvers_group = editors, approvers
    _grant(editors, section, EDITOR_PAGE_PERMISSIONS)
    _grant(approvers, section, APPROVER_PAGE_PERMISSIONS)

    workflow, _created = Workflow.objects.get_or_create(
        name=_group_name("Duyệt tin", unit), defaults={"active": True})
    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=f"Lãnh đạo {unit.name} hoặc Biên tập cổng tin tỉnh duyệt")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    task.groups.add(approvers)
    if home.editors_group_id:
        task.groups.add(home.editors_group_id)
    WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
    sync_portal_permissions(user_ids=list(
        Membership.objects.filter(unit=unit).values_list("user_id", flat=True)))
    return section


def _province_units(home: NewsHomePage) -> set[int]:
    if home.province_id is None:
        return set()
    province = home.province
    return {province.pk, *province.predecessors.filter(level=Level.PROVINCE)
            .values_list("pk", flat=True)}


@transaction.atomic
def sync_portal_permissions(user_ids=None) -> int:
    """Put users in the portal's groups that their Memberships call for, and out of the rest:
    portal_editor of a unit -> its editors group; leader -> its approvers group; portal_editor
    of the province -> the province-wide editors group. Returns how many users changed."""
    sections = {s.unit_id: s for s in UnitSectionPage.objects.all()}
    homes = list(NewsHomePage.objects.exclude(editors_group=None).select_related("province"))
    province_groups = {unit_id: home.editors_group_id for home in homes
                       for unit_id in _province_units(home)}
    managed = {g for s in sections.values() for g in (s.editors_group_id, s.approvers_group_id)}
    managed |= set(province_groups.values())
    managed.discard(None)
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=user_ids)
    if user_ids is None:
        users = users.filter(memberships__isnull=False).distinct() | \
            User.objects.filter(groups__in=managed).distinct()
    changed = 0
    for user in users.distinct():
        wanted = set()
        for unit_id, role in Membership.objects.filter(user=user).values_list("unit_id", "role"):
            section = sections.get(unit_id)
            if role == Role.PORTAL_EDITOR:
                if section is not None:
                    wanted.add(section.editors_group_id)
                if unit_id in province_groups:
                    wanted.add(province_groups[unit_id])
            elif role == Role.LEADER and section is not None:
                wanted.add(section.approvers_group_id)
        wanted.discard(None)
        current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
        if wanted != current:
            user.groups.remove(*(current - wanted))
            user.groups.add(*(wanted - current))
            changed += 1
    return changed


@transaction.atomic
def publish_article(section: UnitSectionPage, *, title: str, summary: str, body: list,
                    category: CategoryIndexPage, published_at: datetime.datetime | None = None,
                    author: str = "", photo_credit: str = "", tags=(), image=None,
                    slug: str | None = None, user=None) -> ArticlePage:
    """Create an article in ``section`` and publish it, dated ``published_at`` (an article
    brought in from an older portal keeps its original date). ``body`` is StreamField data."""
    article = ArticlePage(
        title=title, summary=summary, body=body, category=category, author=author,
        photo_credit=photo_credit, image=image, owner=user,
        slug=_unique_slug(section, slug or ascii_slug(title)),
    )
    for tag in tags:
        article.tags.add(tag)
    section.add_child(instance=article)
    article = _publish(article, user)
    if published_at is not None:
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published_at, last_published_at=published_at,
            latest_revision_created_at=published_at)
        article.revisions.update(created_at=published_at)
        article.refresh_from_db()
    return article


@transaction.atomic
def set_posting_policy(user, *, max_days_without_article: int,
                       min_articles_per_month: int) -> PostingPolicy:
    """Only the province's Home Affairs administrators (or a system administrator) set it."""
    province_level = any(m.unit.level == Level.PROVINCE and m.role == Role.HOME_AFFAIRS_ADMIN
                         for m in memberships(user))
    if not (province_level or has_role(user, Role.SYSTEM_ADMIN)):
        raise Forbidden(_("Chỉ Sở Nội vụ được đặt ngưỡng đăng tin của tỉnh."))
    if max_days_without_article < 1 or min_articles_per_month < 0:
        raise InvalidInput(_("Ngưỡng không hợp lệ."), code="invalid_policy")
    policy = PostingPolicy.current()
    policy.max_days_without_article = max_days_without_article
    policy.min_articles_per_month = min_articles_per_month
    policy.updated_by = user
    policy.updated_at = timezone.now()
    policy.save()
    return policy
