/** 4-connected components of a w×h mask: cells of equal value that touch left, right, above or below. */
export interface Components {
  /** component id of every cell; -1 where the cell was not labelled (value other than `only`) */
  label: Int32Array;
  /** per component: its value, its number of cells and its bounding box (inclusive) */
  value: number[];
  area: number[];
  x0: number[];
  x1: number[];
  y0: number[];
  y1: number[];
}

/**
 * Labels the 4-connected components of `mask` (one flood fill per component, iterative). `only`:
 * label just the cells of that value (the others keep -1). Used by the matte (islands not connected to
 * the graduate) and by the output measurement (specks).
 */
export function labelComponents(mask: Uint8Array, w: number, h: number, only?: number): Components {
  const n = w * h;
  const label = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const c: Components = { label, value: [], area: [], x0: [], x1: [], y0: [], y1: [] };
  for (let s = 0; s < n; s++) {
    if (label[s] !== -1) continue;
    const v = mask[s]!;
    if (only !== undefined && v !== only) continue;
    const id = c.area.length;
    let sp = 0, area = 0, x0 = w, x1 = -1, y0 = h, y1 = -1;
    stack[sp++] = s;
    label[s] = id;
    while (sp) {
      const i = stack[--sp]!, x = i % w, y = (i / w) | 0;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      if (x > 0 && label[i - 1] === -1 && mask[i - 1] === v) { label[i - 1] = id; stack[sp++] = i - 1; }
      if (x < w - 1 && label[i + 1] === -1 && mask[i + 1] === v) { label[i + 1] = id; stack[sp++] = i + 1; }
      if (y > 0 && label[i - w] === -1 && mask[i - w] === v) { label[i - w] = id; stack[sp++] = i - w; }
      if (y < h - 1 && label[i + w] === -1 && mask[i + w] === v) { label[i + w] = id; stack[sp++] = i + w; }
    }
    c.value.push(v); c.area.push(area); c.x0.push(x0); c.x1.push(x1); c.y0.push(y0); c.y1.push(y1);
  }
  return c;
}
