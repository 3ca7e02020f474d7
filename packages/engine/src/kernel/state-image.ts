import { Decimal } from '../core/decimal.js';

/**
 * A JSON-safe image of a live object graph's data (a TradingCore with its strategy, indicators,
 * exchange and ledger), and the way back: `restoreState` lays an image over a freshly built graph
 * of the same configuration. Written by hand because no library fits: structured clone and
 * serialisers rebuild objects but lose their classes and closures, while the compiled strategy
 * is closures over its own arrays and objects. So the fresh graph provides the classes and the
 * closures, and the image provides the data, written into the fresh objects in place (closures that
 * captured an array or object see the restored content). Functions are not data: they must come
 * from the fresh graph. Shared references and cycles are kept.
 *
 * Encoding: JSON primitives as themselves, except {"$n":"NaN"|"Infinity"|"-Infinity"|"-0"},
 * {"$u":1} (undefined), {"$d":"<decimal>"}, {"$b":"<bigint>"}; objects as {"$o":kind,"id":n,…}
 * with kind "obj" (class name in "c", fields in "f"), "arr" ("v"), "map" ("e"), "set" ("v"),
 * "ta" (typed array: "t", "v"); a repeated object as {"$r":id}; a function in an array as {"$f":1}.
 */
export interface StateImage {
  version: 1;
  root: unknown;
}

type Encoded = null | boolean | number | string | { [k: string]: unknown } | unknown[];

export class StateImageError extends Error {
  override readonly name = 'StateImageError';
}

const TYPED_ARRAYS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;

function encodeNumber(n: number): Encoded {
  if (Number.isNaN(n)) return { $n: 'NaN' };
  if (n === Number.POSITIVE_INFINITY) return { $n: 'Infinity' };
  if (n === Number.NEGATIVE_INFINITY) return { $n: '-Infinity' };
  if (Object.is(n, -0)) return { $n: '-0' };
  return n;
}

function decodeNumber(s: string): number {
  switch (s) {
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    default:
      throw new StateImageError(`unknown number encoding "${s}"`);
  }
}

function typedArrayName(v: object): TypedArrayName | null {
  for (const name of Object.keys(TYPED_ARRAYS) as TypedArrayName[]) if (v instanceof TYPED_ARRAYS[name]) return name;
  return null;
}

/** Captures the data of `root` and everything it reaches. */
export function captureState(root: object): StateImage {
  const ids = new Map<object, number>();
  // the path to the value being encoded, joined only for an error message
  const path: Array<string | number> = ['root'];
  const where = () => path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('');
  const at = (step: string | number, v: unknown): Encoded | undefined => {
    path.push(step);
    const out = encode(v);
    path.pop();
    return out;
  };
  const encode = (v: unknown): Encoded | undefined => {
    switch (typeof v) {
      case 'number':
        return encodeNumber(v);
      case 'string':
      case 'boolean':
        return v;
      case 'undefined':
        return { $u: 1 };
      case 'bigint':
        return { $b: v.toString() };
      case 'function':
        return undefined;
      case 'symbol':
        throw new StateImageError(`a symbol at ${where()} cannot be captured`);
    }
    if (v === null) return null;
    const o = v as object;
    if (o instanceof Decimal) return { $d: (o as Decimal).toString() };
    const seen = ids.get(o);
    if (seen !== undefined) return { $r: seen };
    const id = ids.size + 1;
    ids.set(o, id);
    if (Array.isArray(o)) {
      const values = new Array<unknown>(o.length);
      for (let i = 0; i < o.length; i++) {
        const x: unknown = o[i];
        values[i] = typeof x === 'function' ? { $f: 1 } : typeof x === 'object' && x !== null ? at(i, x) : encode(x);
      }
      return { $o: 'arr', id, v: values };
    }
    if (o instanceof Map) {
      return { $o: 'map', id, e: [...o.entries()].map(([k, x]) => [at('<key>', k), typeof x === 'function' ? { $f: 1 } : at(`.get(${String(k)})`, x)]) };
    }
    if (o instanceof Set) return { $o: 'set', id, v: [...o.values()].map((x, i) => at(`<${i}>`, x)) };
    const ta = typedArrayName(o);
    if (ta) return { $o: 'ta', id, t: ta, v: Array.from(o as AnyTypedArray, (x) => encodeNumber(x)) };
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise) {
      throw new StateImageError(`${where()} is a ${o.constructor.name}, which cannot be captured`);
    }
    const proto = Object.getPrototypeOf(o) as object | null;
    const className = proto === null || proto === Object.prototype ? null : (proto.constructor?.name ?? null);
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(o)) {
      const x = at(`.${key}`, (o as Record<string, unknown>)[key]);
      if (x !== undefined) fields[key] = x;
    }
    return { $o: 'obj', id, c: className, f: fields };
  };
  return { version: 1, root: encode(root) };
}

/** Prototypes by class name, from the objects of a graph (the fresh one supplies them on restore). */
function collectPrototypes(root: object): Map<string, object> {
  const out = new Map<string, object>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v) || v instanceof Decimal) continue;
    seen.add(v);
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (!ArrayBuffer.isView(v)) {
      const proto = Object.getPrototypeOf(v) as object | null;
      if (proto && proto !== Object.prototype && proto.constructor?.name) out.set(proto.constructor.name, proto);
      for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return out;
}

/**
 * Writes an image captured from a graph into a fresh graph built the same way (same config),
 * reusing its objects wherever the image has one in the same place. Objects the fresh graph does
 * not have yet take their class from one of the same name in it, or from `classes`.
 */
export function restoreState(root: object, image: StateImage, classes: ReadonlyArray<abstract new (...args: never[]) => unknown> = []): void {
  if (image?.version !== 1) throw new StateImageError('unsupported state image version');
  const prototypes = collectPrototypes(root);
  for (const c of classes) if (!prototypes.has(c.name)) prototypes.set(c.name, c.prototype as object);
  const byId = new Map<number, unknown>();
  // an object of the fresh graph already filled from the image must not be filled again elsewhere
  const used = new Set<unknown>();
  const byIdHas = (o: unknown) => used.has(o);
  const claim = (id: number, o: unknown) => {
    byId.set(id, o);
    used.add(o);
  };
  const isNode = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

  const place = (fresh: unknown, img: unknown, where: string): unknown => {
    if (img === null || typeof img !== 'object') return img;
    if (Array.isArray(img)) throw new StateImageError(`malformed image at ${where}`);
    const node = img as Record<string, unknown>;
    if ('$n' in node) return decodeNumber(String(node['$n']));
    if ('$u' in node) return undefined;
    if ('$d' in node) return new Decimal(String(node['$d']));
    if ('$b' in node) return BigInt(String(node['$b']));
    if ('$f' in node) {
      if (typeof fresh !== 'function') throw new StateImageError(`${where} held a function the fresh graph does not have`);
      return fresh;
    }
    if ('$r' in node) {
      const id = Number(node['$r']);
      if (!byId.has(id)) throw new StateImageError(`${where} refers to object ${id} before it appears`);
      return byId.get(id);
    }
    const id = Number(node['id']);
    switch (node['$o']) {
      case 'arr': {
        const values = node['v'] as unknown[];
        const target: unknown[] = Array.isArray(fresh) && !byIdHas(fresh) ? fresh : [];
        claim(id, target);
        const before = target.slice();
        target.length = values.length;
        values.forEach((x, i) => {
          target[i] = place(before[i], x, `${where}[${i}]`);
        });
        return target;
      }
      case 'map': {
        const target = fresh instanceof Map && !byIdHas(fresh) ? (fresh as Map<unknown, unknown>) : new Map<unknown, unknown>();
        claim(id, target);
        const entries = (node['e'] as Array<[unknown, unknown]>).map(([k, x], i) => {
          const key = place(undefined, k, `${where}<key ${i}>`);
          return [key, place(target.get(key), x, `${where}.get(${String(key)})`)] as const;
        });
        target.clear();
        for (const [k, x] of entries) target.set(k, x);
        return target;
      }
      case 'set': {
        const target = fresh instanceof Set && !byIdHas(fresh) ? (fresh as Set<unknown>) : new Set<unknown>();
        claim(id, target);
        const values = (node['v'] as unknown[]).map((x, i) => place(undefined, x, `${where}<${i}>`));
        target.clear();
        for (const x of values) target.add(x);
        return target;
      }
      case 'ta': {
        const name = String(node['t']) as TypedArrayName;
        const Ctor = TYPED_ARRAYS[name];
        if (!Ctor) throw new StateImageError(`unknown typed array ${name} at ${where}`);
        const values = (node['v'] as unknown[]).map((x) => (typeof x === 'number' ? x : decodeNumber(String((x as Record<string, unknown>)['$n']))));
        const reuse = fresh instanceof Ctor && (fresh as AnyTypedArray).length === values.length && !byIdHas(fresh);
        const target = reuse ? (fresh as AnyTypedArray) : new Ctor(values.length);
        claim(id, target);
        target.set(values);
        return target;
      }
      case 'obj': {
        const className = node['c'] as string | null;
        const fields = node['f'] as Record<string, unknown>;
        let target: Record<string, unknown>;
        if (isNode(fresh) && !byIdHas(fresh) && sameClass(fresh, className)) target = fresh;
        else if (className === null) target = {};
        else {
          const proto = prototypes.get(className);
          if (!proto) throw new StateImageError(`${where} is a ${className}, and the fresh graph has none to take the class from`);
          target = Object.create(proto) as Record<string, unknown>;
        }
        claim(id, target);
        for (const [key, x] of Object.entries(fields)) target[key] = place(target[key], x, `${where}.${key}`);
        for (const key of Object.keys(target)) {
          if (key in fields || typeof target[key] === 'function') continue;
          // a class instance of the fresh graph has a field the image lacks: the image was taken
          // from another shape of that class, and laying it over would leave the field missing
          if (className !== null && target === fresh) throw new StateImageError(`${where}.${key}: the image has no such field (it was captured from a ${className} of another shape)`);
          delete target[key];
        }
        return target;
      }
      default:
        throw new StateImageError(`malformed image at ${where}`);
    }
  };
  const rootImage = image.root as Record<string, unknown>;
  if (!isNode(rootImage) || rootImage['$o'] !== 'obj') throw new StateImageError('the image root is not an object');
  if (!sameClass(root as Record<string, unknown>, rootImage['c'] as string | null)) {
    throw new StateImageError(`the image is of a ${String(rootImage['c'])}, not of a ${root.constructor.name}`);
  }
  place(root, rootImage, 'root');
}

function sameClass(o: object, className: string | null): boolean {
  const proto = Object.getPrototypeOf(o) as object | null;
  const name = proto === null || proto === Object.prototype ? null : (proto.constructor?.name ?? null);
  return name === className;
}
