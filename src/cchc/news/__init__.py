"""The province's CCHC news portal (cổng thông tin cải cách hành chính), on Wagtail.

Tree: one ``NewsHomePage`` per province (the Wagtail Site root, served under /tin-tuc/), with
``CategoryIndexPage`` children (Tin hoạt động, Văn bản chỉ đạo điều hành, ...) and one
``UnitSectionPage`` per administrative unit. Articles live under their unit's section, so
Wagtail's own tree-based GroupPagePermissions enforce "an editor of unit A cannot add or
publish in unit B"; the category is a field of the article.

Permissions come from org Memberships (``services.sync_portal_permissions``):
- role portal_editor in unit U -> group "Biên tập - U": add and edit pages in U's section,
  submit them for moderation;
- role leader in unit U -> group "Duyệt - U": approve (publish) in U's section;
- role portal_editor in the province (or the pre-2025 provinces merged into it) -> group
  "Biên tập cổng tin tỉnh": edit and publish anywhere in the portal, approver of every
  section's workflow.
Each section has its own Wagtail workflow with one GroupApprovalTask whose groups are the
section's approvers and the province's portal editors.

Choices where the issue is silent:
- The publication date is Wagtail's ``first_published_at``: set when an article first goes
  live (scheduled or not) and not editable by editors, so posting activity cannot be
  backdated; the importer and the demo set it to the historical date.
- An article's unit is its section's unit, copied on save; editors do not choose it.
- One category per article.
- Posting activity counts live articles by the month of ``first_published_at`` (local time);
  "days since the last article" is measured at the end of the period or today, whichever is
  earlier.

Uploaded media in production (DEBUG off, where Django serves no files under MEDIA_URL):
- Documents (attachments, "document-link" in rich text) are served by Wagtail's serve view
  at ``/cms-documents/<id>/<filename>`` (``WAGTAILDOCS_SERVE_METHOD = "serve_view"``): Django
  streams the file after checking the collection's privacy; nothing for the web server to do.
  ``MEDIA_ROOT/documents/`` must NOT be served directly, or private documents would leak.
- Images are shown as renditions (``{% image %}``: resized copies written once, on the first
  render, under ``MEDIA_ROOT/images/``) and their URLs are ``MEDIA_URL`` + that path. The web
  server in front of the application must therefore serve ``MEDIA_ROOT/images/``
  (``$CCHC_DATA_DIR/media/images/``) at ``/media/images/``, e.g. for nginx
  ``location /media/images/ { alias /srv/cchc/var/media/images/; expires 30d; }``; the
  originals (``MEDIA_ROOT/original_images/``) need not be public.
- The application's processes and the web server must share MEDIA_ROOT (one disk or a shared
  volume): a rendition written by one worker is read by the web server.

Rendering (issue #6): a cache miss is routed by ``routing.py`` (the article with its unit,
category and section title in one query; the Site from a per-process memo), so an article
page renders with 7 queries instead of 10; see bench/README.md "news".
"""
