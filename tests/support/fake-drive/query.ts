import { ROOT_ALIAS, type FakeFile } from './model.js';

/**
 * The part of Drive's `q` language a backup client sends: `'<id>' in parents` (joined by `or`),
 * `trashed`, `mimeType`, `name`, `modifiedTime`/`createdTime` comparisons, `and`, `or`, `not` and
 * parentheses, with `\'` and `\\` escapes inside string literals. Anything else is a QueryError,
 * which the server answers as Drive answers a `q` it cannot read (400 invalid, location q): a
 * term the fake does not understand never becomes a silently unfiltered listing.
 */

export class QueryError extends Error {}

type StringField = 'name' | 'mimeType';
type TimeField = 'modifiedTime' | 'createdTime';
type BoolField = 'trashed' | 'starred' | 'sharedWithMe';
type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type QueryNode =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; node: QueryNode }
  | { kind: 'inParents'; id: string }
  | { kind: 'string'; field: StringField; op: '=' | '!=' | 'contains'; value: string }
  | { kind: 'time'; field: TimeField; op: Op; value: number }
  | { kind: 'bool'; field: BoolField; op: '=' | '!='; value: boolean };

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'op'; v: Op } | { t: '(' } | { t: ')' };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new QueryError('unterminated string');
        const d = q[i]!;
        if (d === '\\') {
          const e = q[i + 1];
          if (e === undefined) throw new QueryError('dangling escape');
          v += e;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push({ t: 'str', v });
    } else if (c === '!' || c === '<' || c === '>' || c === '=') {
      const two = q.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if (c === '!') {
        throw new QueryError("stray '!'");
      } else {
        out.push({ t: 'op', v: c as Op });
        i++;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    } else {
      throw new QueryError(`unexpected '${c}'`);
    }
  }
  return out;
}

class Parser {
  private i = 0;
  parentTerms = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): QueryNode {
    if (this.tokens.length === 0) return { kind: 'all' };
    const node = this.or();
    if (this.i < this.tokens.length) throw new QueryError('trailing tokens');
    return node;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === 'word' && t.v.toLowerCase() === word;
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new QueryError('unexpected end of query');
    return t;
  }

  private or(): QueryNode {
    let left = this.and();
    while (this.peekWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): QueryNode {
    let left = this.unary();
    while (this.peekWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): QueryNode {
    if (this.peekWord('not')) {
      this.i++;
      return { kind: 'not', node: this.unary() };
    }
    const t = this.tokens[this.i];
    if (t?.t === '(') {
      this.i++;
      const node = this.or();
      if (this.next().t !== ')') throw new QueryError("missing ')'");
      return node;
    }
    return this.term();
  }

  private term(): QueryNode {
    const first = this.next();
    if (first.t === 'str') {
      // '<value>' in <collection>
      const inWord = this.next();
      const coll = this.next();
      if (inWord.t !== 'word' || inWord.v.toLowerCase() !== 'in' || coll.t !== 'word') {
        throw new QueryError('expected in');
      }
      if (coll.v !== 'parents') throw new QueryError(`'in ${coll.v}' is not modelled`);
      this.parentTerms++;
      return { kind: 'inParents', id: first.v };
    }
    if (first.t !== 'word') throw new QueryError('expected a field');
    const field = first.v;
    const opTok = this.next();
    const op: Op | 'contains' | undefined =
      opTok.t === 'op' ? opTok.v : opTok.t === 'word' && opTok.v.toLowerCase() === 'contains' ? 'contains' : undefined;
    if (op === undefined) throw new QueryError(`expected an operator after ${field}`);
    const value = this.next();
    switch (field) {
      case 'name':
      case 'mimeType':
        if (op !== '=' && op !== '!=' && op !== 'contains') throw new QueryError(`${field} does not take ${op}`);
        if (value.t !== 'str') throw new QueryError(`${field} needs a string`);
        return { kind: 'string', field, op, value: value.v };
      case 'modifiedTime':
      case 'createdTime': {
        if (op === 'contains') throw new QueryError(`${field} does not take contains`);
        if (value.t !== 'str') throw new QueryError(`${field} needs a string`);
        const ms = Date.parse(value.v);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(value.v) || Number.isNaN(ms)) throw new QueryError(`bad time ${value.v}`);
        return { kind: 'time', field, op, value: ms };
      }
      case 'trashed':
      case 'starred':
      case 'sharedWithMe': {
        if (op !== '=' && op !== '!=') throw new QueryError(`${field} does not take ${op}`);
        const v = value.t === 'word' ? value.v.toLowerCase() : '';
        if (v !== 'true' && v !== 'false') throw new QueryError(`${field} needs true or false`);
        return { kind: 'bool', field, op, value: v === 'true' };
      }
      default:
        throw new QueryError(`field ${field} is not modelled`);
    }
  }
}

export interface ParsedQuery {
  root: QueryNode;
  /** How many `'<id>' in parents` terms the query holds: Drive refuses queries that are too big. */
  parentTerms: number;
}

export function parseQuery(q: string): ParsedQuery {
  const parser = new Parser(tokenize(q));
  const root = parser.parse();
  return { root, parentTerms: parser.parentTerms };
}

/**
 * Drive's `name contains` is prefix matching on words ("HelloWorld" matches 'Hello', not 'World'),
 * case-insensitive; `mimeType contains` is a plain substring.
 */
function nameContains(name: string, value: string): boolean {
  const v = value.toLowerCase();
  return name
    .toLowerCase()
    .split(/[\s_.\-()[\]]+/)
    .concat(name.toLowerCase())
    .some((word) => word.startsWith(v));
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

export function matches(node: QueryNode, file: FakeFile, rootId: string): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return matches(node.left, file, rootId) && matches(node.right, file, rootId);
    case 'or':
      return matches(node.left, file, rootId) || matches(node.right, file, rootId);
    case 'not':
      return !matches(node.node, file, rootId);
    case 'inParents':
      return file.parents.includes(node.id === ROOT_ALIAS ? rootId : node.id);
    case 'string': {
      const actual = file[node.field];
      if (node.op === 'contains') {
        return node.field === 'name' ? nameContains(actual, node.value) : actual.includes(node.value);
      }
      return (actual === node.value) === (node.op === '=');
    }
    case 'time':
      return compare(Date.parse(file[node.field]), node.op, node.value);
    case 'bool': {
      // starred and sharedWithMe are not modelled: nothing is starred, everything is the user's own.
      const actual = node.field === 'trashed' ? file.trashed : false;
      return (actual === node.value) === (node.op === '=');
    }
  }
}
