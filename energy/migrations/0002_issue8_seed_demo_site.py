from django.db import migrations


def seed(apps, schema_editor):
    # The default site of Project.energy_site, backed by the synthetic profile so the demo works offline.
    Site = apps.get_model("energy", "Site")
    Site.objects.get_or_create(
        slug="qinghai-demo",
        defaults={"name": "Qinghai demo (synthetic sample profile)", "static_profile": "qinghai-sample-v1"},
    )


class Migration(migrations.Migration):
    dependencies = [("energy", "0001_issue8_energy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
