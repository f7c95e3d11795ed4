from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_log'),
    ]

    operations = [
        migrations.AddField(
            model_name='personaldatasearch',
            name='truncated',
            field=models.BooleanField(default=False, verbose_name='vượt giới hạn'),
        ),
    ]
