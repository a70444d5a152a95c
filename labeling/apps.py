from django.apps import AppConfig


def project_energy_site(project_id: int) -> str | None:
    from labeling.models import Project

    return Project.objects.filter(pk=project_id).values_list("energy_site", flat=True).first()


class LabelingConfig(AppConfig):
    name = "labeling"
    verbose_name = "Labeling"

    def ready(self) -> None:
        # energy/ works from ids; the site of a project is labeling's to tell.
        from energy.ledger import set_project_site_lookup

        set_project_site_lookup(project_energy_site)
