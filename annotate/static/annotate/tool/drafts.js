// Unsaved boxes kept in this browser's localStorage, per user and task, until
// the server has them or the annotator discards them: a reload, a crash or a
// dropped connection loses nothing.

function key(userId, taskId) {
  return `plateau.draft.${userId}.${taskId}`;
}

export function writeDraft(userId, taskId, boxes, baseVersion) {
  try {
    localStorage.setItem(key(userId, taskId), JSON.stringify({ boxes, baseVersion, savedAt: Date.now() }));
  } catch {
    // Storage full or disabled: the server copy still works; nothing to do here.
  }
}

export function readDraft(userId, taskId) {
  try {
    const raw = localStorage.getItem(key(userId, taskId));
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function clearDraft(userId, taskId) {
  try { localStorage.removeItem(key(userId, taskId)); } catch { /* nothing kept */ }
}
