"""The sorting models move to the sorting app (docs/decisions/0044-sorting-app.md), step 1 of 3:
their foreign keys leave the devices app's migration state. State only: no table changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('devices', '0007_task_history'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='alarmcase',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='alarmcase',
                    name='point',
                ),
                migrations.RemoveField(
                    model_name='bin',
                    name='point',
                ),
                migrations.RemoveField(
                    model_name='collectionpoint',
                    name='community',
                ),
                migrations.RemoveField(
                    model_name='collectionpoint',
                    name='contractor',
                ),
                migrations.RemoveField(
                    model_name='collectionpoint',
                    name='grid',
                ),
                migrations.RemoveField(
                    model_name='collectiontask',
                    name='point',
                ),
            ],
            database_operations=[],
        ),
    ]
