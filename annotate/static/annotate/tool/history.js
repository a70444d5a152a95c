// Undo/redo as whole snapshots of the box list: boxes are few (hundreds at
// most), so copying beats tracking inverse operations in simplicity and safety.

export class History {
  constructor(limit = 300) {
    this.limit = limit;
    this.past = [];
    this.future = [];
  }

  record(snapshot) {
    this.past.push(snapshot);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }

  undo(current) {
    if (!this.past.length) return null;
    this.future.push(current);
    return this.past.pop();
  }

  redo(current) {
    if (!this.future.length) return null;
    this.past.push(current);
    return this.future.pop();
  }

  clear() {
    this.past = [];
    this.future = [];
  }
}
