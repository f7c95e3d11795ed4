"""Lean indexes (the change request of bench/README.md "Seeding 1,000,000 dossiers"): every
dossier row, step and event paid for indexes no query needed.

- no single-column index on ``Dossier.unit``, ``procedure`` and ``current_agency``: the
  composite indexes ``dossier_unit_received_idx``, ``dossier_procedure_idx`` and
  ``dossier_queue_idx`` start with them (and serve the foreign keys' checks on delete);
- no ``varchar_pattern_ops`` (LIKE) index on ``timeliness``, a five-value code nobody
  searches by prefix: a plain B-tree instead;
- partial indexes (``WHERE … IS NOT NULL``) for the foreign keys that are NULL on most rows:
  ``Dossier.assignee``, ``Dossier.current_step``, ``DossierEvent.actor``,
  ``DossierStep.handed_by`` and ``received_by``; a lookup by a user or a step (and the
  foreign keys' checks when a user or step is deleted) only ever looks for a value.

Both databases get it (model fields with ``db_index=False`` plus ``Meta.indexes``). On
PostgreSQL the event index is built on the partitioned parent (every partition gets it).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_name_seek_index'),
        ('onestop', '0005_event_actor_protect'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='dossier',
            name='assignee',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người được giao'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='current_agency',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='held_dossiers', to='org.agency', verbose_name='đơn vị đang xử lý'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='current_step',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='onestop.dossierstep'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='procedure',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='dossiers', to='catalog.procedure', verbose_name='thủ tục'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='timeliness',
            field=models.CharField(blank=True, choices=[('early', 'Trước hạn'), ('on_time', 'Đúng hạn'), ('late', 'Trễ hạn'), ('within', 'Trong hạn'), ('due_soon', 'Sắp đến hạn'), ('overdue', 'Quá hạn'), ('paused', 'Tạm dừng (chờ bổ sung)')], max_length=10, verbose_name='kết quả đúng hạn'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='dossiers', to='org.administrativeunit', verbose_name='đơn vị'),
        ),
        migrations.AlterField(
            model_name='dossierevent',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='dossierstep',
            name='handed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='dossierstep',
            name='received_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['timeliness'], name='dossier_timeliness_idx'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('current_step__isnull', False)), fields=['current_step'], name='dossier_current_step_idx'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('assignee__isnull', False)), fields=['assignee'], name='dossier_assignee_idx'),
        ),
        migrations.AddIndex(
            model_name='dossierevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='dossierevent_actor_idx'),
        ),
        migrations.AddIndex(
            model_name='dossierstep',
            index=models.Index(condition=models.Q(('handed_by__isnull', False)), fields=['handed_by'], name='dossierstep_handed_by_idx'),
        ),
        migrations.AddIndex(
            model_name='dossierstep',
            index=models.Index(condition=models.Q(('received_by__isnull', False)), fields=['received_by'], name='dossierstep_received_by_idx'),
        ),
    ]
