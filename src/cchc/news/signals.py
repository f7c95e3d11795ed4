"""Portal cache invalidation and permission sync (receivers only)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from cchc.org.models import Membership

from .cache import bump_portal_version


def _invalidate() -> None:
    """Bump the portal's version now and again when the change commits: a page rendered by a
    visitor between the two (reading the old rows) is stored under a version nobody uses."""
    bump_portal_version()
    transaction.on_commit(bump_portal_version)


@receiver(page_published)
@receiver(page_unpublished)
def _page_published(sender, instance, **kwargs):
    from .warming import schedule_warm

    _invalidate()
    schedule_warm(instance)


@receiver(post_page_move)
def _portal_changed(sender, **kwargs):
    _invalidate()


@receiver(post_delete, sender="wagtailcore.Page")
def _page_deleted(sender, **kwargs):
    _invalidate()


@receiver(post_page_move)
def _article_moved(sender, instance, **kwargs):
    from .models import ArticlePage

    for article in ArticlePage.objects.descendant_of(instance, inclusive=True):
        section = article.section()
        if section is not None and article.unit_id != section.unit_id:
            ArticlePage.objects.filter(pk=article.pk).update(unit_id=section.unit_id)


@receiver(post_save, sender="wagtailcore.Site")
@receiver(post_delete, sender="wagtailcore.Site")
def _site_changed(sender, **kwargs):
    from .routing import clear_site_memo

    clear_site_memo()


@receiver(post_save, sender="wagtailcore.Page")
@receiver(post_save, sender="news.NewsHomePage")
def _top_page_saved(sender, instance, **kwargs):
    if (instance.depth or 0) <= 2:  # a Site's root: its address is in the memo
        from .routing import clear_site_memo

        clear_site_memo()


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    from .services import sync_portal_permissions

    user_id = instance.user_id
    transaction.on_commit(lambda: sync_portal_permissions(user_ids=[user_id]))
