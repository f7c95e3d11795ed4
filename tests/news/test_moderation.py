"""Editor submits, the unit's leader (or the province's portal editor) approves; scheduled
publishing; revisions."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from cchc.news.models import ArticlePage
from tests.news.test_permissions import article_form

pytestmark = pytest.mark.django_db


def submit(client, portal, title, section="a", user="editor_a"):
    client.force_login(portal["users"][user])
    response = client.post(f"/cms/pages/add/news/articlepage/{portal['sections'][section].pk}/",
                           article_form(portal, title, **{"action-submit": "1"}))
    assert response.status_code == 302, response.content[:3000]
    return ArticlePage.objects.get(title=title)


def approve_url(article):
    state = article.current_workflow_task_state
    return f"/cms/pages/workflow/action/{article.pk}/approve/{state.pk}/"


def test_editor_submits_and_leader_approves(client, portal):
    article = submit(client, portal, "Phường tổ chức đối thoại với người dân")
    assert not article.live
    assert article.workflow_in_progress
    assert article.current_workflow_task.name.startswith("Lãnh đạo Phường Hồng Ngự")
    assert client.get(article.url or "/tin-tuc/x/").status_code == 404

    client.force_login(portal["users"]["leader_a"])
    response = client.post(approve_url(article), {})
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert article.live and not article.workflow_in_progress
    assert client.get(article.url).status_code == 200
    assert article.first_published_at is not None
    assert article.revisions.count() >= 1


def test_leader_of_another_unit_cannot_approve(client, portal):
    article = submit(client, portal, "Bài chờ duyệt của phường")
    task = article.current_workflow_task.specific
    assert not task.get_actions(article, portal["users"]["leader_b"])
    assert task.get_actions(article, portal["users"]["leader_a"])
    client.force_login(portal["users"]["leader_b"])
    client.post(approve_url(article), {})
    article.refresh_from_db()
    assert not article.live


def test_province_portal_editor_approves_anywhere(client, portal):
    article = submit(client, portal, "Bài của huyện cũ", section="d", user="editor_d")
    client.force_login(portal["users"]["province_editor"])
    client.post(approve_url(article), {})
    article.refresh_from_db()
    assert article.live


def test_editor_cannot_approve_their_own_article(client, portal):
    article = submit(client, portal, "Tự duyệt")
    assert not article.current_workflow_task.specific.get_actions(article, portal["users"]["editor_a"])


def test_scheduled_publishing(client, portal):
    from tests.news.conftest import make_article

    article = make_article(portal, title="Bài hẹn giờ")
    article.unpublish()
    article.go_live_at = timezone.now() + datetime.timedelta(hours=2)
    revision = article.save_revision()
    revision.publish()
    article.refresh_from_db()
    assert not article.live
    assert client.get(f"{portal['sections']['a'].url}bai-hen-gio/").status_code == 404

    call_command("publish_scheduled")  # not yet due
    article.refresh_from_db()
    assert not article.live

    later = timezone.now() + datetime.timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    article.refresh_from_db()
    assert article.live
    assert client.get(article.url).status_code == 200


def test_revisions_are_kept(portal):
    from tests.news.conftest import make_article

    article = make_article(portal, title="Bản 1")
    article.title = "Bản 2"
    article.save_revision().publish()
    assert article.revisions.count() == 2
    assert article.revisions.order_by("created_at").first().as_object().title == "Bản 1"
