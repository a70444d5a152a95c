// Model predictions in the tool. A task with predictions and nothing drawn
// yet opens with the best prediction's boxes as ordinary editable boxes,
// flagged `predicted` (drawn dashed) until the annotator touches them; A
// accepts them all, C removes the untouched ones, and the side panel switches
// model versions. Saves carry `from_prediction` so that the server can record
// on submit what the annotator kept, moved, added and deleted.

import { uid } from "./ids.js";

// Highest task score first; without scores, the newest (the API lists newest first).
export function bestPrediction(predictions) {
  if (!predictions || !predictions.length) return null;
  return predictions.reduce((best, p) => ((p.score ?? -1) > (best.score ?? -1) ? p : best), predictions[0]);
}

function asBoxes(prediction) {
  return prediction.boxes.map((b) => ({
    id: uid(), label: b.label, x: b.x, y: b.y, width: b.width, height: b.height, hidden: false,
    predicted: true, score: b.score ?? null,
  }));
}

// After an edit: a predicted box whose place, size or label changed is the annotator's now.
export function clearTouched(boxes, beforeSnapshot) {
  if (!boxes.some((b) => b.predicted)) return;
  const before = new Map(JSON.parse(beforeSnapshot).map((b) => [b.id, b]));
  for (const box of boxes) {
    const old = box.predicted && before.get(box.id);
    if (old && ["x", "y", "width", "height", "label"].some((k) => old[k] !== box[k])) box.predicted = false;
  }
}

function use(tool, prediction) {
  tool.saver.extra = prediction ? { from_prediction: prediction.id } : {};
  tool.currentPrediction = prediction;
}

// Called by loadTask once the annotation (and any local draft) is in place.
export function offerPredictions(tool, annotation) {
  const predictions = (tool.task && tool.task.predictions) || [];
  tool.currentPrediction = null;
  renderPanel(tool, predictions);
  const untouched = tool.editable && !tool.boxes.length && (annotation.version || 0) === 0;
  const best = untouched ? bestPrediction(predictions) : null;
  if (!best) return;
  tool.boxes = asBoxes(best);
  use(tool, best);
  tool.saver.changed();
  tool.changed();
  renderPanel(tool, predictions);
}

export function acceptPredictions(tool) {
  tool.edit(() => tool.boxes.forEach((b) => { b.predicted = false; }));
}

export function clearPredictions(tool) {
  tool.edit(() => {
    tool.boxes = tool.boxes.filter((b) => !b.predicted);
    if (!tool.boxes.some((b) => b.id === tool.selectedId)) tool.selectedId = null;
  });
  if (!tool.boxes.length) use(tool, null);
}

// Another model version: its boxes replace the still-untouched predicted ones.
export function switchPrediction(tool, predictionId) {
  const predictions = (tool.task && tool.task.predictions) || [];
  const chosen = predictions.find((p) => String(p.id) === String(predictionId));
  if (!chosen || !tool.editable) return;
  tool.edit(() => {
    tool.boxes = tool.boxes.filter((b) => !b.predicted).concat(asBoxes(chosen));
    tool.selectedId = null;
  });
  use(tool, chosen);
  tool.saver.changed();
  renderPanel(tool, predictions);
}

// The V key: the next model version's boxes (in the panel's order), without the mouse.
export function cyclePrediction(tool) {
  const predictions = (tool.task && tool.task.predictions) || [];
  if (predictions.length < 2 || !tool.editable) return;
  const i = predictions.findIndex((p) => tool.currentPrediction && p.id === tool.currentPrediction.id);
  switchPrediction(tool, predictions[(i + 1) % predictions.length].id);
}

function renderPanel(tool, predictions) {
  const panel = tool.$("[data-predictions]");
  if (!panel) return;
  panel.hidden = !predictions.length;
  const select = panel.querySelector("[data-prediction-version]");
  select.replaceChildren();
  for (const p of predictions) {
    const option = document.createElement("option");
    option.value = String(p.id);
    option.textContent = p.score == null ? p.model_version : `${p.model_version} (${l10n.number(p.score, { minimumFractionDigits: 2, maximumFractionDigits: 2 })})`;
    option.selected = tool.currentPrediction ? tool.currentPrediction.id === p.id : false;
    select.append(option);
  }
  select.disabled = !tool.editable;
  const waiting = tool.boxes.filter((b) => b.predicted).length;
  panel.querySelector("[data-predicted-count]").textContent = String(waiting);
  for (const button of panel.querySelectorAll("button")) button.disabled = !tool.editable || !waiting;
}

export function bindPredictionPanel(tool) {
  const panel = tool.$("[data-predictions]");
  if (!panel) return;
  panel.querySelector("[data-prediction-version]").addEventListener("change", (e) => switchPrediction(tool, e.target.value));
  panel.querySelector("[data-accept-predictions]").addEventListener("click", () => acceptPredictions(tool));
  panel.querySelector("[data-clear-predictions]").addEventListener("click", () => clearPredictions(tool));
}

export function refreshPredictionPanel(tool) {
  renderPanel(tool, (tool.task && tool.task.predictions) || []);
}
