"""Colours the review queue and the stats charts draw people in: presentation, kept
out of the domain services that build the rows."""

# One colour per annotator of a task, in submission order (label colours are for
# labels; here the question is "whose box is this").
ANNOTATOR_COLOURS = ["#e6194b", "#4363d8", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
                     "#9a6324", "#469990", "#808000"]


def annotator_colour(index: int) -> str:
    return ANNOTATOR_COLOURS[index % len(ANNOTATOR_COLOURS)]


def with_annotator_colours(items: list[dict]) -> list[dict]:
    """Each queue item's annotations get their colour, by their order on the task."""
    for item in items:
        for index, entry in enumerate(item["annotations"]):
            entry["colour"] = annotator_colour(index)
    return items
