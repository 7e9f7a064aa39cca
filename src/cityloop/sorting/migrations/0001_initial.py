"""The sorting models move to the sorting app (docs/decisions/0044-sorting-app.md), step 2 of 3:
they enter this app's migration state on the devices app's tables (``db_table``), whose rows,
indexes and constraints stay as they are. State only: no table changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('devices', '0008_sorting_models_detached'),
        ('events', '0008_case_clock_calendar'),
        ('geo', '0001_initial'),
        ('org', '0002_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='VenueCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=20, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=60, verbose_name='name')),
                        ('name_en', models.CharField(blank=True, max_length=80, verbose_name='English name')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('is_active', models.BooleanField(default=True, verbose_name='supervised')),
                    ],
                    options={
                        'verbose_name': 'venue category',
                        'verbose_name_plural': 'venue categories',
                        'db_table': 'devices_venuecategory',
                        'ordering': ['order', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='CollectionPoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('kind', models.CharField(choices=[('multi_sort_room', 'Multi-sort garbage room'), ('multi_sort_open', 'Multi-sort open collection point'), ('two_sort_room', 'Two-sort garbage room'), ('two_sort_open', 'Two-sort open collection point')], max_length=20, verbose_name='kind')),
                        ('lon', models.FloatField(verbose_name='longitude (WGS-84)')),
                        ('lat', models.FloatField(verbose_name='latitude (WGS-84)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('community', models.ForeignKey(limit_choices_to={'kind': 'community'}, on_delete=django.db.models.deletion.PROTECT, related_name='collection_points', to='org.unit', verbose_name='community')),
                        ('contractor', models.ForeignKey(blank=True, help_text='Who empties the bins: fill-level and overflow tasks go to them.', limit_choices_to={'kind': 'social_entity'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='served_points', to='org.unit', verbose_name='sanitation contractor')),
                        ('grid', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='collection_points', to='geo.grid', verbose_name='grid')),
                    ],
                    options={
                        'verbose_name': 'collection point',
                        'verbose_name_plural': 'collection points',
                        'db_table': 'devices_collectionpoint',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='Bin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('waste_type', models.CharField(choices=[('kitchen', 'Kitchen waste'), ('recyclable', 'Recyclable'), ('hazardous', 'Hazardous waste'), ('other', 'Other waste')], max_length=20, verbose_name='waste type')),
                        ('capacity_litres', models.PositiveIntegerField(verbose_name='capacity (litres)')),
                        ('rfid_tag', models.CharField(max_length=64, unique=True, verbose_name='RFID tag')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bins', to='sorting.collectionpoint', verbose_name='collection point')),
                    ],
                    options={
                        'verbose_name': 'bin',
                        'verbose_name_plural': 'bins',
                        'db_table': 'devices_bin',
                        'ordering': ['point', 'waste_type', 'rfid_tag'],
                    },
                ),
                migrations.CreateModel(
                    name='CollectionTask',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('waste_type', models.CharField(blank=True, max_length=20, verbose_name='waste type')),
                        ('reason', models.CharField(choices=[('fill_level', 'Fill level over the threshold'), ('overflow', 'Overflow seen by a camera')], max_length=20, verbose_name='reason')),
                        ('level', models.FloatField(blank=True, null=True, verbose_name='fill level')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='open', max_length=10, verbose_name='status')),
                        ('opened_at', models.DateTimeField(verbose_name='opened')),
                        ('due_at', models.DateTimeField(verbose_name='due')),
                        ('alarms', models.PositiveIntegerField(default=1, verbose_name='alarms')),
                        ('last_alarm_at', models.DateTimeField(verbose_name='latest alarm')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done')),
                        ('version', models.PositiveIntegerField(default=0, verbose_name='version')),
                        ('contractor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='collection_tasks', to='org.unit', verbose_name='contractor')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='sorting.collectionpoint', verbose_name='collection point')),
                    ],
                    options={
                        'verbose_name': 'collection task',
                        'verbose_name_plural': 'collection tasks',
                        'db_table': 'devices_collectiontask',
                        'ordering': ['-opened_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CollectionTaskEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=24, verbose_name='action')),
                        ('from_state', models.CharField(blank=True, max_length=20, verbose_name='from')),
                        ('to_state', models.CharField(max_length=20, verbose_name='to')),
                        ('actor_label', models.CharField(blank=True, max_length=60, verbose_name='actor (as shown)')),
                        ('at', models.DateTimeField(db_index=True, verbose_name='at')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='details')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                        ('actor_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.unit', verbose_name='unit')),
                        ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='sorting.collectiontask', verbose_name='task')),
                    ],
                    options={
                        'verbose_name': 'task history entry',
                        'verbose_name_plural': 'task history',
                        'db_table': 'devices_collectiontaskevent',
                        'ordering': ['at', 'id'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='CommunityDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('households', models.PositiveIntegerField(default=0)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                    ],
                    options={
                        'db_table': 'devices_communityday',
                    },
                ),
                migrations.CreateModel(
                    name='CommunityMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('households', models.PositiveIntegerField(default=0)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                    ],
                    options={
                        'db_table': 'devices_communitymonth',
                    },
                ),
                migrations.CreateModel(
                    name='EvidencePackage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=24, unique=True, verbose_name='number')),
                        ('subject', models.CharField(choices=[('household', 'Household'), ('unit', 'Unit')], max_length=10, verbose_name='subject')),
                        ('period_start', models.DateTimeField(verbose_name='from')),
                        ('period_end', models.DateTimeField(verbose_name='to')),
                        ('item_count', models.PositiveIntegerField(verbose_name='items')),
                        ('sealed_at', models.DateTimeField(verbose_name='sealed')),
                        ('previous_digest', models.CharField(max_length=64, verbose_name='previous package digest')),
                        ('digest', models.CharField(max_length=64, unique=True, verbose_name='digest (SHA-256)')),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='evidence_packages', to='events.case', verbose_name='case')),
                        ('sealed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sealed by')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='evidence_packages', to='org.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'evidence package',
                        'verbose_name_plural': 'evidence packages',
                        'db_table': 'devices_evidencepackage',
                        'ordering': ['-sealed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='EvidenceItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField(verbose_name='position')),
                        ('content', models.TextField(verbose_name='sealed content (canonical JSON)')),
                        ('previous_digest', models.CharField(max_length=64, verbose_name='previous item digest')),
                        ('digest', models.CharField(max_length=64, verbose_name='digest (SHA-256)')),
                        ('record', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='devices.record')),
                        ('package', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='sorting.evidencepackage')),
                    ],
                    options={
                        'verbose_name': 'evidence item',
                        'verbose_name_plural': 'evidence items',
                        'db_table': 'devices_evidenceitem',
                        'ordering': ['package', 'seq'],
                    },
                ),
                migrations.CreateModel(
                    name='Household',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(help_text='A pseudonymous id; no name or telephone number is stored.', max_length=40, unique=True, verbose_name='household id')),
                        ('building', models.CharField(blank=True, max_length=40, verbose_name='building')),
                        ('room', models.CharField(blank=True, max_length=20, verbose_name='room')),
                        ('community', models.ForeignKey(limit_choices_to={'kind': 'community'}, on_delete=django.db.models.deletion.PROTECT, related_name='households', to='org.unit', verbose_name='community')),
                        ('point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='households', to='sorting.collectionpoint', verbose_name='usual collection point')),
                    ],
                    options={
                        'verbose_name': 'household',
                        'verbose_name_plural': 'households',
                        'db_table': 'devices_household',
                        'ordering': ['code'],
                    },
                ),
                migrations.AddField(
                    model_name='evidencepackage',
                    name='household',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='evidence_packages', to='sorting.household', verbose_name='household'),
                ),
                migrations.CreateModel(
                    name='HouseholdCard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('card_id', models.CharField(max_length=64, unique=True, verbose_name='card id')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cards', to='sorting.household', verbose_name='household')),
                    ],
                    options={
                        'verbose_name': 'household card',
                        'verbose_name_plural': 'household cards',
                        'db_table': 'devices_householdcard',
                        'ordering': ['card_id'],
                    },
                ),
                migrations.CreateModel(
                    name='HouseholdDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('household', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sorting.household')),
                    ],
                    options={
                        'db_table': 'devices_householdday',
                    },
                ),
                migrations.CreateModel(
                    name='HouseholdMonth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField()),
                        ('household', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sorting.household')),
                    ],
                    options={
                        'db_table': 'devices_householdmonth',
                    },
                ),
                migrations.CreateModel(
                    name='PlantDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('waste_type', models.CharField(blank=True, max_length=20, verbose_name='waste type')),
                        ('intakes', models.PositiveIntegerField(default=0, verbose_name='truck loads')),
                        ('treated_kg', models.FloatField(default=0, verbose_name='treated (kg)')),
                    ],
                    options={
                        'verbose_name': 'plant day',
                        'verbose_name_plural': 'plant days',
                        'db_table': 'devices_plantday',
                        'constraints': [models.UniqueConstraint(fields=('day', 'waste_type'), name='devices_plantday_once')],
                    },
                ),
                migrations.CreateModel(
                    name='PointDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('waste_type', models.CharField(choices=[('kitchen', 'Kitchen waste'), ('recyclable', 'Recyclable'), ('hazardous', 'Hazardous waste'), ('other', 'Other waste')], max_length=20, verbose_name='waste type')),
                        ('disposals', models.PositiveIntegerField(default=0, verbose_name='disposals')),
                        ('judged', models.PositiveIntegerField(default=0, verbose_name='disposals judged')),
                        ('correct', models.PositiveIntegerField(default=0, verbose_name='correctly sorted')),
                        ('disposed_kg', models.FloatField(default=0, verbose_name='disposed (kg)')),
                        ('collections', models.PositiveIntegerField(default=0, verbose_name='bins collected')),
                        ('collected_kg', models.FloatField(default=0, verbose_name='collected (kg)')),
                        ('alarms', models.PositiveIntegerField(default=0, verbose_name='camera alarms')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='sorting.collectionpoint')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                    ],
                    options={
                        'verbose_name': 'point day',
                        'verbose_name_plural': 'point days',
                        'db_table': 'devices_pointday',
                    },
                ),
                migrations.CreateModel(
                    name='StreetDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(verbose_name='day')),
                        ('waste_type', models.CharField(choices=[('kitchen', 'Kitchen waste'), ('recyclable', 'Recyclable'), ('hazardous', 'Hazardous waste'), ('other', 'Other waste')], max_length=20, verbose_name='waste type')),
                        ('disposals', models.PositiveIntegerField(default=0, verbose_name='disposals')),
                        ('judged', models.PositiveIntegerField(default=0, verbose_name='disposals judged')),
                        ('correct', models.PositiveIntegerField(default=0, verbose_name='correctly sorted')),
                        ('disposed_kg', models.FloatField(default=0, verbose_name='disposed (kg)')),
                        ('collections', models.PositiveIntegerField(default=0, verbose_name='bins collected')),
                        ('collected_kg', models.FloatField(default=0, verbose_name='collected (kg)')),
                        ('alarms', models.PositiveIntegerField(default=0, verbose_name='camera alarms')),
                        ('street', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.unit')),
                    ],
                    options={
                        'verbose_name': 'street day',
                        'verbose_name_plural': 'street days',
                        'db_table': 'devices_streetday',
                    },
                ),
                migrations.CreateModel(
                    name='Truck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('plate', models.CharField(max_length=16, unique=True, verbose_name='plate')),
                        ('waste_type', models.CharField(blank=True, choices=[('kitchen', 'Kitchen waste'), ('recyclable', 'Recyclable'), ('hazardous', 'Hazardous waste'), ('other', 'Other waste')], max_length=20, verbose_name='waste type carried')),
                        ('capacity_kg', models.PositiveIntegerField(blank=True, null=True, verbose_name='capacity (kg)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('contractor', models.ForeignKey(limit_choices_to={'kind': 'social_entity'}, on_delete=django.db.models.deletion.PROTECT, related_name='trucks', to='org.unit', verbose_name='contractor')),
                    ],
                    options={
                        'verbose_name': 'truck',
                        'verbose_name_plural': 'trucks',
                        'db_table': 'devices_truck',
                        'ordering': ['plate'],
                    },
                ),
                migrations.CreateModel(
                    name='Venue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('lon', models.FloatField(blank=True, null=True, verbose_name='longitude (WGS-84)')),
                        ('lat', models.FloatField(blank=True, null=True, verbose_name='latitude (WGS-84)')),
                        ('sorting_in_place', models.BooleanField(default=False, help_text='Sorted containers set up and sorting practised, as last inspected.', verbose_name='sorting in place')),
                        ('inspected_on', models.DateField(blank=True, null=True, verbose_name='last inspected')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('community', models.ForeignKey(limit_choices_to={'kind': 'community'}, on_delete=django.db.models.deletion.PROTECT, related_name='venues', to='org.unit', verbose_name='community')),
                        ('entity', models.ForeignKey(blank=True, limit_choices_to={'kind': 'social_entity'}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sorting_venues', to='org.unit', verbose_name='responsible entity')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='venues', to='sorting.venuecategory', verbose_name='category')),
                    ],
                    options={
                        'verbose_name': 'venue',
                        'verbose_name_plural': 'venues',
                        'db_table': 'devices_venue',
                        'ordering': ['code'],
                    },
                ),
                migrations.CreateModel(
                    name='AlarmCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('alarm', models.CharField(choices=[('mixed_disposal', 'Mixed disposal'), ('littering', 'Littering'), ('overflow', 'Overflow'), ('bag_on_ground', 'Small bag left on the ground')], max_length=20, verbose_name='alarm')),
                        ('first_at', models.DateTimeField(verbose_name='first alarm')),
                        ('last_at', models.DateTimeField(verbose_name='latest alarm')),
                        ('alarms', models.PositiveIntegerField(default=1, verbose_name='alarms')),
                        ('last_snapshot', models.CharField(blank=True, max_length=500, verbose_name='latest snapshot')),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='alarm_link', to='events.case', verbose_name='case')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alarm_cases', to='sorting.collectionpoint')),
                    ],
                    options={
                        'verbose_name': 'alarm case',
                        'verbose_name_plural': 'alarm cases',
                        'db_table': 'devices_alarmcase',
                        'indexes': [models.Index(fields=['point', 'alarm', 'last_at'], name='devices_alarmcase_recent')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='collectiontask',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('point', 'waste_type'), name='devices_task_one_open'),
                ),
                migrations.AddIndex(
                    model_name='communityday',
                    index=models.Index(fields=['day', 'street'], name='devices_commday_street'),
                ),
                migrations.AddConstraint(
                    model_name='communityday',
                    constraint=models.UniqueConstraint(fields=('community', 'day'), name='devices_communityday_once'),
                ),
                migrations.AddConstraint(
                    model_name='communitymonth',
                    constraint=models.UniqueConstraint(fields=('community', 'month'), name='devices_communitymonth_once'),
                ),
                migrations.AddConstraint(
                    model_name='evidenceitem',
                    constraint=models.UniqueConstraint(fields=('package', 'seq'), name='devices_evidence_item_once'),
                ),
                migrations.AddConstraint(
                    model_name='householdday',
                    constraint=models.UniqueConstraint(fields=('day', 'household'), name='devices_householdday_once'),
                ),
                migrations.AddConstraint(
                    model_name='householdmonth',
                    constraint=models.UniqueConstraint(fields=('month', 'household'), name='devices_householdmonth_once'),
                ),
                migrations.AddIndex(
                    model_name='pointday',
                    index=models.Index(fields=['day', 'community'], name='devices_pointday_comm'),
                ),
                migrations.AddIndex(
                    model_name='pointday',
                    index=models.Index(fields=['day', 'street'], name='devices_pointday_street'),
                ),
                migrations.AddConstraint(
                    model_name='pointday',
                    constraint=models.UniqueConstraint(fields=('point', 'day', 'waste_type'), name='devices_pointday_once'),
                ),
                migrations.AddConstraint(
                    model_name='streetday',
                    constraint=models.UniqueConstraint(fields=('day', 'street', 'waste_type'), name='devices_streetday_once'),
                ),
            ],
            database_operations=[],
        ),
    ]
