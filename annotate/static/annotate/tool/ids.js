// Client-side box ids. A module of its own: the editor and the prediction
// layer both need it, and they import each other's other parts, so it cannot
// live in either (collectstatic's hashing cannot resolve an import cycle).
let nextUid = 1;
export const uid = () => `b${nextUid++}`;
