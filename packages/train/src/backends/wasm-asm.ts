/**
 * A tiny WebAssembly assembler, so that the training kernels tfjs-backend-wasm lacks can run as SIMD
 * machine code inside the backend's own memory — no C toolchain, no prebuilt binary, no copies: the
 * module imports the backend's WebAssembly.Memory and works on tensors where they lie. It covers only
 * what those kernels use: i32 arithmetic, structured loops, f32/v128 loads and stores and a few f32x4
 * operations. Every function takes i32 parameters (byte addresses and sizes) and returns nothing.
 */

type ValType = 'i32' | 'f32' | 'v128';
const VAL: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

const OPS = {
  'i32.add': [0x6a],
  'i32.sub': [0x6b],
  'i32.mul': [0x6c],
  'i32.lt_s': [0x48],
  'i32.ge_s': [0x4e],
  'i32.gt_s': [0x4a],
  'i32.le_s': [0x4c],
  'i32.or': [0x72],
  'f32.max': [0x97],
  'f32.eq': [0x5b],
  select: [0x1b],
  'i32.and': [0x71],
  'i32.eqz': [0x45],
  'f32x4.splat': [0xfd, 0x13],
  'f32x4.add': [0xfd, 0xe4, 0x01],
  'f32x4.mul': [0xfd, 0xe6, 0x01],
  'f32x4.max': [0xfd, 0xe9, 0x01],
  'f32x4.eq': [0xfd, 0x41],
  'v128.and': [0xfd, 0x4e],
  'v128.andnot': [0xfd, 0x4f],
  'v128.or': [0xfd, 0x50],
} as const;
export type Op = keyof typeof OPS;

// Loads and stores: opcode bytes, then memarg (log2 alignment hint, byte offset).
const MEM = {
  'f32.load': [[0x2a], 2],
  'f32.store': [[0x38], 2],
  'v128.load': [[0xfd, 0x00], 4],
  'v128.store': [[0xfd, 0x0b], 4],
  'v128.load32_splat': [[0xfd, 0x09], 2],
} as const satisfies Record<string, readonly [readonly number[], number]>;
export type MemOp = keyof typeof MEM;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const str = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** One function: named i32 parameters, named locals, and a body emitted by the methods below. */
export class Fn {
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];
  private readonly code: number[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly string[],
  ) {
    params.forEach((p, i) => this.index.set(p, i));
  }

  local(name: string, type: ValType): this {
    this.index.set(name, this.params.length + this.localTypes.length);
    this.localTypes.push(type);
    return this;
  }

  private at(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`${this.name}: no local "${name}"`);
    return i;
  }

  get = (name: string): this => this.emit(0x20, ...uleb(this.at(name)));
  set = (name: string): this => this.emit(0x21, ...uleb(this.at(name)));
  i32 = (value: number): this => this.emit(0x41, ...sleb(value));
  op = (...ops: Op[]): this => this.emit(...ops.flatMap((o) => OPS[o]));
  mem = (op: MemOp, offset = 0): this => this.emit(...MEM[op][0], MEM[op][1], ...uleb(offset));
  zero = (): this => this.emit(0xfd, 0x0c, ...new Array<number>(16).fill(0));
  f32zero = (): this => this.emit(0x43, 0, 0, 0, 0);
  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** `name = a + b·c` where each operand is a local name or a constant. */
  let(name: string, a: string | number, b?: string | number, c?: string | number): this {
    const push = (v: string | number) => (typeof v === 'number' ? this.i32(v) : this.get(v));
    push(a);
    if (b !== undefined) {
      push(b);
      if (c !== undefined) push(c).op('i32.mul');
      this.op('i32.add');
    }
    return this.set(name);
  }

  /** `for (i = from; i < to; i += step) body()` over i32 locals (`to` a local or constant). */
  loop(i: string, from: string | number, to: string | number, step: string | number, body: () => void): this {
    this.let(i, from);
    this.emit(0x02, 0x40, 0x03, 0x40); // block, loop
    this.get(i);
    if (typeof to === 'number') this.i32(to);
    else this.get(to);
    this.op('i32.ge_s').emit(0x0d, 1); // br_if to the block's end
    body();
    this.let(i, i, step);
    return this.emit(0x0c, 0, 0x0b, 0x0b); // br loop, end loop, end block
  }

  /** `while (cond()) body()`, `cond` leaving an i32 on the stack. */
  while(cond: () => void, body: () => void): this {
    this.emit(0x02, 0x40, 0x03, 0x40);
    cond();
    this.op('i32.eqz').emit(0x0d, 1);
    body();
    return this.emit(0x0c, 0, 0x0b, 0x0b);
  }

  /** `if (condition on the stack) body()`. */
  when(body: () => void): this {
    this.emit(0x04, 0x40);
    body();
    return this.emit(0x0b);
  }

  encode(): number[] {
    const groups = this.localTypes.map((t) => [1, VAL[t]]);
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/** Compiles `fns` into an instance whose functions work on `memory`. */
export function assemble(
  memory: WebAssembly.Memory,
  fns: readonly Fn[],
): Record<string, (...args: number[]) => void> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const types = fns.map((f) => [0x60, ...vec(f.params.map(() => [VAL.i32])), 0]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map((f) => f.encode()))),
  ];
  const module = new WebAssembly.Module(new Uint8Array(bytes));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as Record<string, (...args: number[]) => void>;
}
