"""Demo portal: the province's home, categories, sections for the province (both eras), four
pre-2025 districts and three new communes, and a few dozen articles from 2022 to 2026 written
for the demo, with images drawn by Pillow. Idempotent: an article is recognised by its slug
in its section."""

import datetime
import io

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image

from cchc.org.models import AdministrativeUnit

from . import services
from .demo_data import ARTICLES, IMAGES
from .models import ArticlePage, CategoryIndexPage, UnitSectionPage


def draw_image(background, accent, motif, size=(960, 600)) -> bytes:
    """A simple flat illustration: no text, no downloaded asset."""
    width, height = size
    image = PILImage.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    for i in range(0, height, 6):  # a soft vertical gradient
        shade = tuple(max(0, min(255, c + (i * 40) // height - 20)) for c in background)
        draw.rectangle([0, i, width, i + 6], fill=shade)
    draw.rectangle([0, height * 3 // 4, width, height], fill=tuple(c // 2 for c in background))
    if motif == "building":
        draw.rectangle([260, 180, 700, 450], fill=accent)
        draw.polygon([(230, 180), (480, 80), (730, 180)], fill=tuple(c // 2 + 60 for c in accent))
        for x in range(300, 680, 70):
            draw.rectangle([x, 230, x + 35, 420], fill=background)
        draw.rectangle([450, 360, 510, 450], fill=(60, 40, 30))
    elif motif == "desk":
        draw.rectangle([120, 300, 840, 380], fill=accent)
        for x in (250, 480, 710):
            draw.ellipse([x - 45, 170, x + 45, 260], fill=(230, 190, 150))
            draw.rectangle([x - 60, 260, x + 60, 300], fill=(40, 70, 140))
    elif motif == "meeting":
        draw.rectangle([160, 90, 800, 260], fill=accent)
        for row, y in enumerate((330, 400)):
            for x in range(140 + row * 30, 840, 90):
                draw.ellipse([x, y, x + 50, y + 50], fill=(230, 190, 150))
    elif motif == "laptop":
        draw.rectangle([280, 150, 680, 400], fill=(20, 20, 30))
        draw.rectangle([300, 170, 660, 380], fill=accent)
        draw.polygon([(220, 400), (740, 400), (780, 440), (180, 440)], fill=(180, 180, 190))
    elif motif == "chart":
        for i, value in enumerate([62, 70, 75, 81, 86, 90, 94, 97]):
            x = 140 + i * 90
            draw.rectangle([x, 450 - value * 3, x + 55, 450], fill=accent)
        draw.line([(120, 450), (860, 450)], fill=(60, 60, 60), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def _images() -> dict[str, Image]:
    images = {}
    for key, (title, background, accent, motif) in IMAGES.items():
        image = Image.objects.filter(title=title).first()
        if image is None:
            content = draw_image(background, accent, motif)
            image = Image(title=title)
            image.file = ImageFile(io.BytesIO(content), name=f"cchc-demo-{key}.jpg")
            image.save()
        images[key] = image
    return images


def _unit(key: str) -> AdministrativeUnit | None:
    era, code = key.split(":")
    return AdministrativeUnit.objects.filter(era=era, code=code).first()


@transaction.atomic
def load(stdout=None):
    from cchc.org.selectors import home_province

    province = home_province()
    if province is None:
        return
    home = services.ensure_portal(province)
    categories = {c.slug: c for c in CategoryIndexPage.objects.child_of(home)}
    sections: dict[str, UnitSectionPage] = {}
    for key in dict.fromkeys(a[0] for a in ARTICLES):
        unit = _unit(key)
        if unit is not None:
            sections[key] = services.ensure_unit_section(home, unit)
    images = _images()
    tz = timezone.get_current_timezone()
    created = 0
    for (key, category, when, title, summary, paragraphs, author, photo, tags, image_key,
         caption) in ARTICLES:
        section = sections.get(key)
        if section is None:
            continue
        slug = services.ascii_slug(title)
        if ArticlePage.objects.child_of(section).filter(slug=slug).exists():
            continue
        body = [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs]
        if image_key:
            body.insert(1, {"type": "image",
                            "value": {"image": images[image_key].pk, "caption": caption}})
        services.publish_article(
            section, title=title, summary=summary, body=body, category=categories[category],
            published_at=datetime.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=tz),
            author=author, photo_credit=photo, tags=tags,
            image=images[image_key] if image_key else None, slug=slug,
        )
        created += 1
    services.sync_portal_permissions()
    if stdout and created:
        stdout.write(f"Cổng tin CCHC: {len(sections)} chuyên trang đơn vị, {created} bài viết mẫu "
                     f"(/tin-tuc/, biên tập tại /cms/).")
