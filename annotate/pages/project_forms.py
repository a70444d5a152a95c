"""Forms of the project pages: the rules, the label list, members, the task filters.

Validation that is a rule of the domain stays in the domain: field ranges are
the model's validators (the API's serializer uses the same ones), duplicate
label names and hotkeys are ``labeling.labels.label_rows_problems``. The forms
only place those answers next to the field they are about.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from energy.models import Site
from labeling.labels import LabelRow, label_rows_problems
from labeling.models import Project
from labeling.quality.checks import FLAG_CODES
from labeling.task_bulk import ACTIONS, PRIORITY_RANGE

# What each rule means, next to its field.
RULE_HELP = {
    "overlap": _("How many different annotators label each task. Their boxes are compared; more overlap "
                 "means better agreement figures and more work per image."),
    "gold_rate": _("Share of each annotator's tasks drawn from gold tasks (known answers) to measure "
                   "accuracy, from 0 to 1. 0.1 = one task in ten."),
    "lease_seconds": _("How long an annotator holds a task before it goes back to the pool, in seconds "
                       "(at least 30). The labeling tool renews the lease while the annotator works."),
    "review_threshold": _("Quality score (0 to 1) below which submitted work goes to the review queue."),
    "iou_threshold": _("Overlap (intersection over union, 0.05 to 1) at which two boxes count as the same "
                       "object when annotators' work is compared."),
    "auto_accept": _("Accept work that passes every check without a supervisor. Off: everything is reviewed."),
    "max_boxes_per_image": _("Most boxes one annotator may save on one image."),
    "energy_site": _("The site whose electricity mix is attributed to this project's work in the green report."),
}
RULE_FIELDS = ["name", "description", "overlap", "gold_rate", "lease_seconds", "review_threshold",
               "iou_threshold", "auto_accept", "max_boxes_per_image", "energy_site"]


class ProjectRulesForm(forms.ModelForm):
    energy_site = forms.ChoiceField(label=_("Energy site"), help_text=RULE_HELP["energy_site"])

    class Meta:
        model = Project
        fields = RULE_FIELDS
        labels = {
            "name": _("Name"), "description": _("Description"), "overlap": _("Overlap (annotators per task)"),
            "gold_rate": _("Gold rate"), "lease_seconds": _("Lease length (seconds)"),
            "review_threshold": _("Review threshold"), "iou_threshold": _("IoU threshold"),
            "auto_accept": _("Accept good work automatically"), "max_boxes_per_image": _("Most boxes per image"),
        }
        help_texts = {name: text for name, text in RULE_HELP.items() if name != "energy_site"}
        error_messages = {
            "lease_seconds": {"min_value": _("A lease shorter than 30 seconds ends before anyone can draw a box.")},
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = list(Site.objects.order_by("slug").values_list("slug", "name"))
        current = self.instance.energy_site or Project._meta.get_field("energy_site").default
        if current not in {slug for slug, _name in sites}:
            sites.insert(0, (current, current))
        self.fields["energy_site"].choices = sites
        self.fields["energy_site"].initial = current


HOTKEYS = [("", "—")] + [(str(n), str(n)) for n in range(1, 10)]


class LabelForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    name = forms.CharField(label=_("Label name"), max_length=100, required=False,
                           help_text=_("The name every dataset carries, e.g. yak."))
    # Display names per language live on the label once the model has them;
    # this form gains one field per language then.
    color = forms.RegexField(label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", required=False,
                             widget=forms.TextInput(attrs={"type": "color"}))
    hotkey = forms.TypedChoiceField(label=_("Key"), choices=HOTKEYS, coerce=int, empty_value=None, required=False)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=10_000)
    remove = forms.BooleanField(label=_("Remove"), required=False)
    remove_boxes = forms.BooleanField(label=_("also remove its boxes"), required=False)

    def row(self) -> LabelRow | None:
        data = self.cleaned_data
        if not data.get("name") and not data.get("id"):
            return None
        return LabelRow(name=data.get("name") or "", id=data.get("id"), color=data.get("color") or "",
                        hotkey=data.get("hotkey"), order=data.get("order") or 0,
                        remove=bool(data.get("remove")), remove_boxes=bool(data.get("remove_boxes")))


class BaseLabelFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[LabelForm, LabelRow]]:
        """(form, row) of the filled-in lines, in the order the supervisor gave."""
        filled = [(form, form.row()) for form in self.forms if form.is_valid()]
        filled = [(form, row) for form, row in filled if row is not None]
        return sorted(filled, key=lambda pair: pair[1].order)

    def clean(self):
        if any(self.errors):
            return
        pairs = self.rows()
        for form, row in pairs:
            if not row.remove and not row.name.strip():
                form.add_error("name", _("A label needs a name."))
        for index, field, message in label_rows_problems([row for _form, row in pairs]):
            pairs[index][0].add_error(field, message)


def label_formset(*, data=None, labels=(), extra: int = 3, prefix: str = "labels"):
    formset_class = forms.formset_factory(LabelForm, formset=BaseLabelFormSet, extra=extra, max_num=100,
                                          validate_max=True)
    initial = [{"id": label.pk, "name": label.name, "color": label.color, "hotkey": label.hotkey,
                "order": index + 1} for index, label in enumerate(labels)]
    formset = formset_class(data=data, initial=initial, prefix=prefix)
    for index, form in enumerate(formset.forms):
        if index >= len(initial):
            form.fields["order"].initial = index + 1
    return formset


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Someone of your organisation with an account on this site."))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, grantable=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in grantable] or [
            ("", "—")]


class TaskFilterForm(forms.Form):
    """The task browser's query string: every field optional, each checked like any input."""

    YES_NO = [("", _("any")), ("yes", _("yes")), ("no", _("no"))]
    status = forms.ChoiceField(label=_("Status"), required=False)
    annotator = forms.TypedChoiceField(label=_("Annotator"), required=False, coerce=int, empty_value=None)
    flag = forms.ChoiceField(label=_("Flag"), required=False, choices=[("", _("any"))] + [
        (code, code.replace("_", " ")) for code in FLAG_CODES])
    gold = forms.ChoiceField(label=_("Gold"), choices=YES_NO, required=False)
    predictions = forms.ChoiceField(label=_("Has predictions"), choices=YES_NO, required=False)
    excluded = forms.ChoiceField(label=_("Left out of exports"), choices=YES_NO, required=False)
    captured_from = forms.DateField(label=_("Captured from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    captured_to = forms.DateField(label=_("Captured until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    bbox = forms.RegexField(label=_("Map box (min lon, min lat, max lon, max lat)"), required=False,
                            regex=r"^-?\d{1,3}(\.\d+)?(,-?\d{1,3}(\.\d+)?){3}$", max_length=120,
                            error_messages={"invalid": _("Four numbers: min lon,min lat,max lon,max lat.")})
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    after = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    before = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    SORT_CHOICES = [("id", _("upload order")), ("-id", _("newest first")), ("-priority", _("priority, highest")),
                    ("priority", _("priority, lowest")), ("captured", _("capture time")),
                    ("-captured", _("capture time, latest"))]

    def __init__(self, *args, statuses=(), annotators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("any"))] + list(statuses)
        self.fields["annotator"].choices = [("", _("anyone"))] + [(str(pk), name) for pk, name in annotators]
        self.fields["sort"].choices = self.SORT_CHOICES

    def clean_bbox(self):
        value = self.cleaned_data.get("bbox")
        if not value:
            return None
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(_("Longitudes from -180 to 180, latitudes from -90 to 90, min before max."))
        return min_lon, min_lat, max_lon, max_lat


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[(key, label) for key, label in ACTIONS.items()])
    annotator = forms.TypedChoiceField(label=_("Annotator"), required=False, coerce=int, empty_value=None)
    priority = forms.IntegerField(label=_("Priority"), required=False, min_value=PRIORITY_RANGE[0],
                                  max_value=PRIORITY_RANGE[1])

    def __init__(self, *args, annotators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annotator"].choices = [("", "—")] + [(str(pk), name) for pk, name in annotators]
