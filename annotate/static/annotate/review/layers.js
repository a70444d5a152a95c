// Everyone's boxes over one image, told apart even where they coincide: each
// annotator gets a dash pattern and an outline pushed outwards by a few screen
// pixels per annotator, so two identical boxes show as two nested frames.
// Captions and offsets are in screen pixels, whatever the image's size or the
// card's width: the SVG's user units are image pixels, so they are rescaled
// whenever the stage is laid out again.

const SVG = "http://www.w3.org/2000/svg";
// Solid, long dashes, dots, dash-dot, ...: told apart without colour too.
const DASHES = ["", "10 5", "2 4", "14 4 3 4", "6 6", "1 6"];
const OFFSET_PX = 4; // between nested outlines of successive annotators
const CAPTION_PX = 13;

export function annotatorDash(index) {
  return DASHES[index % DASHES.length];
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// One annotator's boxes and captions; `index` is the annotator's place on the card,
// `shown` turns a canonical label name into the name people read.
export function drawAnnotatorBoxes(group, boxes, colour, index, shown) {
  const dash = annotatorDash(index);
  group.dataset.index = String(index);
  for (const b of boxes) {
    const rect = svgEl("rect", { class: "box", stroke: colour, "data-testid": "review-box" });
    if (dash) rect.setAttribute("stroke-dasharray", dash);
    const caption = svgEl("text", { class: "boxlabel", fill: colour, "data-testid": "review-caption" });
    caption.textContent = shown(b.label);
    for (const node of [rect, caption]) {
      Object.assign(node.dataset, { bx: b.x, by: b.y, bw: b.width, bh: b.height, row: index });
    }
    group.append(rect, caption);
  }
}

// A small line in the annotator's colour and dash pattern, for the list beside the image.
export function dashSample(colour, index) {
  const sample = svgEl("svg", { class: "dash-sample", viewBox: "0 0 36 10", width: 36, height: 10, "aria-hidden": "true" });
  const line = svgEl("line", { x1: 0, y1: 5, x2: 36, y2: 5, stroke: colour, "stroke-width": 3 });
  const dash = annotatorDash(index);
  if (dash) line.setAttribute("stroke-dasharray", dash);
  sample.append(line);
  return sample;
}

// Place outlines and captions for the stage's current size on screen.
function place(svg, imageWidth) {
  const shown = svg.getBoundingClientRect().width;
  if (!shown) return;
  const k = imageWidth / shown; // image pixels per screen pixel
  svg.style.setProperty("--px", String(k));
  for (const rect of svg.querySelectorAll("rect.box[data-bx]")) {
    const d = rect.dataset;
    const off = Number(d.row) * OFFSET_PX * k;
    rect.setAttribute("x", Number(d.bx) - off);
    rect.setAttribute("y", Number(d.by) - off);
    rect.setAttribute("width", Number(d.bw) + 2 * off);
    rect.setAttribute("height", Number(d.bh) + 2 * off);
  }
  const line = (CAPTION_PX + 3) * k;
  for (const text of svg.querySelectorAll("text.boxlabel[data-bx]")) {
    const d = text.dataset;
    const off = Number(d.row) * OFFSET_PX * k;
    // Captions of coincident boxes stack, one row per annotator, above the box.
    const y = Number(d.by) - off - 4 * k - Number(d.row) * line;
    text.setAttribute("x", Number(d.bx) - off + 2 * k);
    text.setAttribute("y", Math.max(line * (Number(d.row) + 1), y));
  }
}

export function keepScreenSizes(svg, imageWidth) {
  const observer = new ResizeObserver(() => place(svg, imageWidth));
  observer.observe(svg);
  place(svg, imageWidth);
}
