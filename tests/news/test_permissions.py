"""An editor of unit A cannot add or publish in unit B; A's leader approves in A; the province's
portal editors approve anywhere. Checked through Wagtail's own permission policy and over HTTP."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cchc.news.models import ArticlePage
from cchc.news.services import ascii_slug
from cchc.org.models import Membership, Role

pytestmark = pytest.mark.django_db


def perms(page, user):
    return page.permissions_for_user(user)


def test_editor_adds_and_submits_only_in_their_own_section(portal):
    s, u = portal["sections"], portal["users"]
    assert perms(s["a"], u["editor_a"]).can_add_subpage()
    assert not perms(s["b"], u["editor_a"]).can_add_subpage()
    assert not perms(s["d"], u["editor_a"]).can_add_subpage()
    assert not perms(s["province"], u["editor_a"]).can_add_subpage()
    assert not perms(s["a"], u["editor_a"]).can_publish_subpage()


def test_editor_cannot_publish_even_in_their_own_section(portal):
    from tests.news.conftest import make_article

    article = make_article(portal, "a")
    assert perms(article, portal["users"]["editor_a"]).can_edit()
    assert not perms(article, portal["users"]["editor_a"]).can_publish()
    other = make_article(portal, "b")
    assert not perms(other, portal["users"]["editor_a"]).can_edit()


def test_leader_publishes_in_their_unit_only(portal):
    from tests.news.conftest import make_article

    a, b = make_article(portal, "a"), make_article(portal, "b")
    assert perms(a, portal["users"]["leader_a"]).can_publish()
    assert not perms(b, portal["users"]["leader_a"]).can_publish()


def test_province_portal_editor_publishes_anywhere(portal):
    from tests.news.conftest import make_article

    for key in ("a", "b", "d", "province"):
        assert perms(make_article(portal, key), portal["users"]["province_editor"]).can_publish()


def test_other_roles_get_no_portal_rights(portal):
    section = portal["sections"]["a"]
    for key in ("desk_a", "ha_province"):
        assert not perms(section, portal["users"][key]).can_add_subpage()


def article_form(portal, title, **extra):
    return nested_form_data({
        "title": title, "slug": ascii_slug(title), "summary": "Tóm tắt.",
        "category": portal["categories"]["tin-hoat-dong"].pk, "image": "",
        "body": streamfield([("paragraph", rich_text("<p>Nội dung.</p>"))]),
        "author": "Thu Hà", "photo_credit": "", "tags": "",
        "comments": inline_formset([]), **extra,
    })


def test_editor_of_a_is_refused_the_add_form_of_b_over_http(client, portal):
    client.force_login(portal["users"]["editor_a"])
    section_b = portal["sections"]["b"]
    url = f"/cms/pages/add/news/articlepage/{section_b.pk}/"
    assert client.get(url).status_code in (302, 403)
    response = client.post(url, article_form(portal, "Chen vao don vi khac", **{"action-publish": "1"}))
    assert response.status_code in (302, 403)
    assert not ArticlePage.objects.filter(title="Chen vao don vi khac").exists()


def test_editor_of_a_cannot_publish_in_a_over_http(client, portal):
    client.force_login(portal["users"]["editor_a"])
    url = f"/cms/pages/add/news/articlepage/{portal['sections']['a'].pk}/"
    client.post(url, article_form(portal, "Tự đăng không qua duyệt", **{"action-publish": "1"}))
    article = ArticlePage.objects.get(title="Tự đăng không qua duyệt")
    assert not article.live


def test_memberships_drive_the_groups(portal, django_capture_on_commit_callbacks):
    from cchc.news.services import sync_portal_permissions

    editor = portal["users"]["editor_a"]
    section = portal["sections"]["a"]
    assert editor.groups.filter(pk=section.editors_group_id).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.filter(user=editor, role=Role.PORTAL_EDITOR).delete()
    editor = type(editor).objects.get(pk=editor.pk)  # Wagtail caches permissions on the user
    assert not editor.groups.filter(pk=section.editors_group_id).exists()
    assert not perms(section, editor).can_add_subpage()
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.create(user=editor, unit=portal["units"]["b"], role=Role.PORTAL_EDITOR)
    editor = type(editor).objects.get(pk=editor.pk)
    assert perms(portal["sections"]["b"], editor).can_add_subpage()
    assert sync_portal_permissions() == 0  # already in sync
