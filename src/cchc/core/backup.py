"""`cchc backup` and `cchc restore`: one archive with the database, the uploaded files and a
manifest of SHA-256 checksums.

The archive is a gzip-compressed tar with these members:

- ``database/cchc.sqlite3`` (SQLite: a copy made with SQLite's online backup API, consistent
  while the server keeps writing), or ``database/cchc.pgdump`` (PostgreSQL: ``pg_dump -Fc``
  when the program is installed), or ``database/cchc.json`` (``--method dumpdata``, and the
  fallback on PostgreSQL without ``pg_dump``: Django's ``dumpdata``; it also moves data from
  one kind of database to the other);
- ``media/...``: every file under MEDIA_ROOT (uploads, generated documents);
- ``manifest.json`` (last): format, time, database kind and method, the migrations applied,
  the row count of every table at the moment of the copy, and the size and SHA-256 of every
  other member.

On PostgreSQL the counts and the dump read the same snapshot (a repeatable-read transaction
whose snapshot is handed to ``pg_dump --snapshot``), so they agree exactly.

Restore first extracts every member into a temporary folder and checks it against the
manifest (no member missing, none extra, every size and SHA-256 equal, no path leaving the
archive); a corrupted or altered archive is refused before anything is touched. It refuses
to overwrite a database that already holds data (any user account, or any row of a cchc app
other than the working calendar that migrations load) unless ``--force`` is given, and an
archive made by a newer version of cchc (migrations this code does not know). It then loads
the database (SQLite: the backup API again, into the live database; PostgreSQL: see below;
JSON: ``flush`` + ``loaddata`` in one transaction), writes the media files (a file of the
same name is replaced; others are left), compares every table's row count with the
manifest, and applies the migrations the archive lacks. Stop the web server and the task
worker during a restore.

On PostgreSQL the archive is turned into SQL by ``pg_restore -f`` and run by ``psql
--single-transaction`` after a clean-up of the current schema (every table, view, sequence
and function that no extension owns): ``pg_restore --clean`` cannot drop the inherited
constraints of partitioned tables, and one transaction means that a failed restore changes
nothing. The role needs to own those objects (the application's role does).
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from cchc.errors import DomainError

FORMAT = "cchc-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite-backup": "database/cchc.sqlite3", "pg_dump": "database/cchc.pgdump",
              "dumpdata": "database/cchc.json"}
CHUNK = 1024 * 1024
# Excluded from a JSON dump: rebuilt by migrate (content types, permissions) or derived data.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry",
                    "wagtailsearch.indexentry"]


# Before a pg_dump archive is loaded (same transaction): drop every table, view, sequence and
# function of the current schema that no extension owns (pg_restore --clean cannot drop the
# inherited constraints of partitioned tables; leftovers of newer migrations go too).
PG_CLEANUP = """
DO $cleanup$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                          ELSE 'TABLE' END AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT c.relispartition
      -- extensions' objects stay; identity and serial sequences go with their tables
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                        AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('i', 'a'))))
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', r.kind, r.name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure::text AS name,
           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                          ELSE 'FUNCTION' END AS kind
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', r.kind, r.name);
  END LOOP;
END
$cleanup$;
"""


class BackupError(DomainError):
    code = "backup_error"


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _vendor() -> str:
    return _connection().vendor


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _tables() -> list[str]:
    """Every table of an installed model that exists in the database, sorted."""
    connection = _connection()
    existing = set(connection.introspection.table_names())
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        if opts.db_table in existing:
            tables.add(opts.db_table)
    tables.add(MigrationRecorder.Migration._meta.db_table)
    return sorted(t for t in tables if t in existing)


def count_rows(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations() -> dict[str, list[str]]:
    connection = _connection()
    if MigrationRecorder.Migration._meta.db_table not in connection.introspection.table_names():
        return {}
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def pg_env(settings_dict) -> dict[str, str]:
    """libpq's environment for pg_dump/pg_restore (no password on a command line)."""
    env = dict(os.environ)
    pairs = {"PGHOST": settings_dict.get("HOST"), "PGPORT": settings_dict.get("PORT"),
             "PGUSER": settings_dict.get("USER"), "PGPASSWORD": settings_dict.get("PASSWORD"),
             "PGDATABASE": settings_dict.get("NAME")}
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        pairs["PGSSLMODE"] = options["sslmode"]
    for key, value in pairs.items():
        if value:
            env[key] = str(value)
    return env


def choose_method(requested: str = "auto") -> str:
    vendor = _vendor()
    if requested == "auto":
        if vendor == "sqlite":
            return "sqlite-backup"
        if vendor == "postgresql" and shutil.which("pg_dump"):
            return "pg_dump"
        return "dumpdata"
    valid = {"sqlite": ["sqlite-backup", "dumpdata"], "postgresql": ["pg_dump", "dumpdata"]}
    if requested not in valid.get(vendor, ["dumpdata"]):
        raise BackupError(_("Cách sao lưu %(method)s không dùng được với cơ sở dữ liệu "
                            "%(vendor)s.") % {"method": requested, "vendor": vendor})
    if requested == "pg_dump" and not shutil.which("pg_dump"):
        raise BackupError(_("Không tìm thấy chương trình pg_dump; hãy cài gói "
                            "postgresql-client hoặc dùng --method dumpdata."))
    return requested


# -- backup -----------------------------------------------------------------------------------

def _dump_database(method: str, workdir: Path) -> tuple[Path, dict[str, int], dict]:
    """Write the database copy into workdir; return (file, row counts, details)."""
    connection = _connection()
    quote = connection.ops.quote_name
    target = workdir / PurePosixPath(DB_MEMBERS[method]).name
    details: dict = {}
    if method == "sqlite-backup":
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
            tables = _tables()
            counts = count_rows(dest.cursor(), tables, quote)
        finally:
            dest.close()
        details["sqlite_version"] = sqlite3.sqlite_version
        return target, counts, details
    tables = _tables()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and outermost:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = count_rows(cursor, tables, quote)
            if method == "pg_dump":
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                done = subprocess.run(
                    ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                     "-f", str(target)],
                    env=pg_env(connection.settings_dict), capture_output=True, text=True)
                if done.returncode != 0:
                    raise BackupError(_("pg_dump thất bại: %(error)s")
                                      % {"error": done.stderr.strip()[:500]})
                version = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True)
                details["pg_dump_version"] = version.stdout.strip()
            else:
                with open(target, "w", encoding="utf-8") as out:
                    call_command("dumpdata", natural_foreign=True, exclude=DUMPDATA_EXCLUDE,
                                 stdout=out, verbosity=0)
    return target, counts, details


class _HashingReader(io.RawIOBase):
    def __init__(self, f):
        self.f = f
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def read(self, n=-1):
        data = self.f.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, member: str, path: Path, files: dict):
    info = tar.gettarinfo(str(path), arcname=member)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o644
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    files[member] = {"size": reader.size, "sha256": reader.digest.hexdigest()}


def media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append(("media/" + path.relative_to(root).as_posix(), path))
    return found


def create_backup(output: Path | None = None, method: str = "auto", progress=None) -> dict:
    """Write the archive; return the manifest (with ``path``)."""
    method = choose_method(method)
    now = datetime.datetime.now().astimezone()
    if output is None:
        output = Path(settings.DATA_DIR) / "backups" / f"cchc-{now:%Y%m%d-%H%M%S}.tar.gz"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="cchc-backup-") as tmp:
        db_file, counts, details = _dump_database(method, Path(tmp))
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"vendor": _vendor(), "method": method, "member": DB_MEMBERS[method],
                         **details},
            "migrations": _applied_migrations(),
            "counts": counts,
            "files": files,
        }
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                _add(tar, DB_MEMBERS[method], db_file, files)
                for member, path in media_files():
                    try:
                        _add(tar, member, path, files)
                    except FileNotFoundError:  # removed while we were copying
                        continue
                    if progress:
                        progress(member)
                data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(now.timestamp())
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    manifest["path"] = str(output)
    return manifest


# -- restore ----------------------------------------------------------------------------------

def _safe_member(name: str) -> bool:
    """Only manifest.json, database/... and media/..., relative, without '..'."""
    if name == MANIFEST:
        return True
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and path.as_posix() == name
            and len(path.parts) > 1 and path.parts[0] in ("database", "media"))


def read_archive(archive: Path, workdir: Path) -> dict:
    """Extract and verify the archive into workdir; return its manifest. Raises BackupError
    (in Vietnamese) for a missing, unreadable, corrupted or altered archive."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("Không tìm thấy tệp sao lưu %(path)s.") % {"path": archive})
    seen: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                if not info.isfile() or not _safe_member(info.name):
                    raise BackupError(
                        _("Bản sao lưu bị từ chối: thành phần %(name)r không hợp lệ (không "
                          "phải tệp thường hoặc đường dẫn ra ngoài thư mục).") % {"name": info.name})
                if info.name in seen or (info.name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(_("Bản sao lưu bị từ chối: thành phần %(name)r lặp lại.")
                                      % {"name": info.name})
                source = tar.extractfile(info)
                if info.name == MANIFEST:
                    manifest_bytes = source.read(10 * CHUNK)
                    continue
                target = workdir / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                seen[info.name] = {"size": size, "sha256": digest.hexdigest()}
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(_("Tệp sao lưu bị hỏng hoặc không phải bản sao lưu của cchc "
                            "(%(error)s).") % {"error": type(exc).__name__}) from exc
    if manifest_bytes is None:
        raise BackupError(_("Bản sao lưu không có manifest.json: không phải bản sao lưu của "
                            "cchc hoặc đã bị cắt cụt."))
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        expected = manifest["files"]
        method = manifest["database"]["method"]
        if manifest.get("format") != FORMAT or method not in DB_MEMBERS:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BackupError(_("manifest.json của bản sao lưu không đọc được.")) from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(_("Phiên bản định dạng sao lưu %(version)r không được hỗ trợ.")
                          % {"version": manifest.get("format_version")})
    missing = sorted(set(expected) - set(seen))
    extra = sorted(set(seen) - set(expected))
    changed = sorted(m for m in set(expected) & set(seen) if expected[m] != seen[m])
    if missing or extra or changed:
        parts = []
        if changed:
            parts.append(_("sai mã kiểm tra SHA-256: %(names)s") % {"names": ", ".join(changed[:5])})
        if missing:
            parts.append(_("thiếu: %(names)s") % {"names": ", ".join(missing[:5])})
        if extra:
            parts.append(_("thừa (không có trong manifest): %(names)s")
                         % {"names": ", ".join(extra[:5])})
        raise BackupError(_("Bản sao lưu bị hỏng hoặc đã bị sửa đổi, không khôi phục: "
                            "%(problems)s.") % {"problems": "; ".join(parts)}, code="corrupted")
    if DB_MEMBERS[method] not in seen:
        raise BackupError(_("Bản sao lưu không chứa cơ sở dữ liệu."))
    return manifest


def database_has_data() -> bool:
    """Any user account, or any row of a cchc app other than the working calendar (which
    the migrations load) — see the module docstring."""
    connection = _connection()
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    tables = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.db_table not in existing:
            continue
        is_user = model is apps.get_model(settings.AUTH_USER_MODEL)
        if is_user or (opts.app_config.name.startswith("cchc.")
                       and opts.app_config.name != "cchc.workcal"):
            tables.append(opts.db_table)
    with connection.cursor() as cursor:
        for table in sorted(set(tables)):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                return True
    return False


def _check_migrations(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = [f"{app}.{name}" for app, names in manifest.get("migrations", {}).items()
               for name in names if (app, name) not in known]
    if unknown:
        raise BackupError(_("Bản sao lưu được tạo bởi phiên bản cchc mới hơn (có các "
                            "migration mà mã nguồn này không biết: %(names)s); hãy nâng cấp "
                            "cchc trước khi khôi phục.") % {"names": ", ".join(unknown[:5])})


def _load_database(manifest: dict, workdir: Path) -> None:
    method = manifest["database"]["method"]
    source = workdir / DB_MEMBERS[method]
    connection = _connection()
    vendor = connection.vendor
    if method == "sqlite-backup":
        if vendor != "sqlite":
            raise BackupError(_("Bản sao lưu này chứa cơ sở dữ liệu SQLite, chỉ khôi phục được "
                                "vào SQLite; để chuyển sang PostgreSQL hãy sao lưu bằng "
                                "--method dumpdata."))
        connection.close()
        connection.ensure_connection()
        src = sqlite3.connect(source)
        try:
            src.backup(connection.connection)
        finally:
            src.close()
        connection.close()
    elif method == "pg_dump":
        if vendor != "postgresql":
            raise BackupError(_("Bản sao lưu này là bản pg_dump, chỉ khôi phục được vào "
                                "PostgreSQL."))
        if not (shutil.which("pg_restore") and shutil.which("psql")):
            raise BackupError(_("Không tìm thấy chương trình pg_restore hoặc psql; hãy cài gói "
                                "postgresql-client."))
        connection.close()
        env = pg_env(connection.settings_dict)
        env["PGOPTIONS"] = "-c client_min_messages=warning"
        script = workdir / "restore.sql"
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script),
                               str(source)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(_("pg_restore thất bại: %(error)s")
                              % {"error": done.stderr.strip()[:500]})
        cleanup = workdir / "cleanup.sql"
        cleanup.write_text(PG_CLEANUP, encoding="utf-8")
        # One transaction: the old schema objects go and the archive's come, or nothing changes.
        done = subprocess.run(["psql", "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                               "-f", str(cleanup), "-f", str(script)],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
            raise BackupError(_("Khôi phục PostgreSQL thất bại, cơ sở dữ liệu giữ nguyên: "
                                "%(error)s") % {"error": ("\n".join(errors) or done.stderr)[-800:]})
    else:
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(source), verbosity=0)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _restore_media(workdir: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    source = workdir / "media"
    if not source.is_dir():
        return 0
    n = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
            n += 1
    return n


def restore_backup(archive: Path, force: bool = False) -> dict:
    """Verify then restore; return a report {manifest, media, counts_differ, migrated}."""
    scratch = Path(settings.DATA_DIR)
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-restore-", dir=scratch) as tmp:
        workdir = Path(tmp)
        manifest = read_archive(Path(archive), workdir)
        _check_migrations(manifest)
        if not force and database_has_data():
            raise BackupError(_("Cơ sở dữ liệu hiện tại đã có dữ liệu; khôi phục sẽ ghi đè "
                                "toàn bộ. Hãy kiểm tra lại, sao lưu nó nếu cần, rồi chạy lại "
                                "với --force."), code="database_not_empty")
        _load_database(manifest, workdir)
        media = _restore_media(workdir)
    connection = _connection()
    tables = [t for t in manifest["counts"] if t in set(connection.introspection.table_names())]
    with connection.cursor() as cursor:
        counts = count_rows(cursor, tables, connection.ops.quote_name)
    ignore = set() if manifest["database"]["method"] != "dumpdata" else {
        "django_content_type", "auth_permission", "django_session", "django_admin_log",
        "wagtailsearch_indexentry", MigrationRecorder.Migration._meta.db_table}
    differ = {t: (manifest["counts"][t], counts.get(t)) for t in manifest["counts"]
              if t not in ignore and counts.get(t) != manifest["counts"][t]}
    executor = MigrationExecutor(connection)
    migrated = False
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
        migrated = True
    return {"manifest": manifest, "media": media, "counts_differ": differ, "migrated": migrated}
