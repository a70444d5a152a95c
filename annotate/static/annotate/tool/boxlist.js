// The side list: one row per box with its label (changeable), a hide/show
// toggle and a delete button. Clicking a row selects the box.

export function renderBoxList(list, tool) {
  list.replaceChildren();
  tool.boxes.forEach((box, index) => {
    const li = document.createElement("li");
    li.dataset.testid = "box-item";
    li.setAttribute("data-testid", "box-item");
    li.dataset.boxId = box.id;
    li.className = box.id === tool.selectedId ? "selected" : "";
    if (box.hidden) li.classList.add("hidden-box");
    if (box.predicted) {
      li.classList.add("predicted-box");
      li.dataset.predicted = "true";
    }
    const label = tool.labelByName.get(box.label);
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = label ? label.color : "#999";
    const num = document.createElement("span");
    num.className = "num";
    num.textContent = String(index + 1);
    const select = document.createElement("select");
    select.setAttribute("aria-label", interpolate(gettext("Label of box %s"), [index + 1]));
    select.disabled = !tool.editable;
    for (const l of tool.labels) {
      const opt = document.createElement("option");
      opt.value = l.name;
      opt.textContent = l.display_name || l.name;
      opt.selected = l.name === box.label;
      select.append(opt);
    }
    select.addEventListener("change", () => tool.setBoxLabel(box.id, select.value));
    const size = document.createElement("span");
    size.className = "size muted";
    size.textContent = `${Math.round(box.width)}×${Math.round(box.height)}`;
    const hide = document.createElement("button");
    hide.type = "button";
    hide.className = "icon";
    hide.setAttribute("data-testid", "box-toggle");
    hide.title = box.hidden ? gettext("Show (H)") : gettext("Hide (H)");
    hide.textContent = box.hidden ? gettext("show") : gettext("hide");
    hide.addEventListener("click", (e) => { e.stopPropagation(); tool.toggleHidden(box.id); });
    li.append(swatch, num, select, size, hide);
    // A read-only task offers nothing to delete.
    if (tool.editable) {
      const del = document.createElement("button");
      del.type = "button";
      del.className = "icon danger";
      del.setAttribute("data-testid", "box-delete");
      del.title = gettext("Delete (Del)");
      del.setAttribute("aria-label", interpolate(gettext("Delete box %s"), [index + 1]));
      del.textContent = "×";
      del.addEventListener("click", (e) => { e.stopPropagation(); tool.deleteBox(box.id); });
      li.append(del);
    }
    li.addEventListener("click", (e) => {
      if (e.target === select) return;
      tool.select(box.id);
    });
    list.append(li);
  });
}
