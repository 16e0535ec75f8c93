// SPDX-License-Identifier: Apache-2.0
// What every page of the console shares: the JSON API client, element
// building, sortable and paginated tables, notices, typed confirmations and
// the decoder of audit-log entries. Plain ES module; no dependencies.

// An API refusal: the HTTP status and the exchange's Error message.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// One call to the exchange's JSON API, same origin, with the browser's client
// certificate. Bodies are JSON (the exchange refuses form and text bodies).
export async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'the exchange could not be reached (' + e.message + ')');
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const message = data && data.message ? data.message : text || response.statusText;
    throw new ApiError(response.status, data && data.code ? data.code : 'error', message);
  }
  return data;
}

// el('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function badge(text, kind = text) {
  return el('span', { class: 'badge ' + kind }, text);
}

export function notice(kind, ...children) {
  return el('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

export function facts(pairs) {
  const dl = el('dl', { class: 'facts' });
  for (const [term, value] of pairs) dl.append(el('dt', {}, term), el('dd', {}, value));
  return dl;
}

export function errorText(e) {
  if (e instanceof ApiError) return e.status ? `${e.message} (HTTP ${e.status}, ${e.code})` : e.message;
  return String(e && e.message ? e.message : e);
}

// RFC 3339 to "2026-11-22 10:00 UTC"; empty stays empty.
export function when(rfc3339) {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  if (isNaN(d)) return rfc3339;
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function whenMs(ms) {
  return ms ? when(new Date(Number(ms)).toISOString()) : '';
}

export function number(n) {
  if (n === '' || n === null || n === undefined) return '';
  const v = Number(n);
  return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(n);
}

// A table whose every column sorts (click its header) and whose rows come a
// page at a time. columns: [{key, label, numeric, value(row), render(row)}];
// value gives what sorts (default row[key]), render what shows (default value).
export function table({ columns, rows, pageSize = 25, empty = 'Nothing to show.', label, onselect }) {
  const wrap = el('div', { class: 'table-block' });
  let sortKey = null;
  let descending = false;
  let page = 0;
  let selected = null;
  const valueOf = (col, row) => (col.value ? col.value(row) : row[col.key]);

  function sorted() {
    if (sortKey === null) return rows;
    const col = columns.find((c) => c.key === sortKey);
    const out = rows.slice().sort((a, b) => {
      let x = valueOf(col, a), y = valueOf(col, b);
      if (col.numeric) {
        x = Number(x) || 0;
        y = Number(y) || 0;
        return x - y;
      }
      return String(x ?? '').localeCompare(String(y ?? ''), 'en', { numeric: true });
    });
    return descending ? out.reverse() : out;
  }

  function render() {
    wrap.replaceChildren();
    if (!rows.length) {
      wrap.append(el('p', { class: 'muted' }, empty));
      return;
    }
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    page = Math.min(page, pages - 1);
    const head = el('tr');
    for (const col of columns) {
      const th = el('th', { scope: 'col', class: col.numeric ? 'num' : '' });
      if (sortKey === col.key) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      th.append(el('button', { type: 'button', onclick: () => {
        if (sortKey === col.key) descending = !descending;
        else { sortKey = col.key; descending = false; }
        render();
      } }, col.label));
      head.append(th);
    }
    const body = el('tbody');
    for (const row of sorted().slice(page * pageSize, (page + 1) * pageSize)) {
      const tr = el('tr', { class: row === selected ? 'selected' : '' });
      for (const col of columns) {
        const shown = col.render ? col.render(row) : col.numeric ? number(valueOf(col, row)) : valueOf(col, row);
        tr.append(el('td', { class: col.numeric ? 'num' : '' }, shown ?? ''));
      }
      if (onselect) {
        tr.append(el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => {
          selected = row;
          render();
          onselect(row);
        } }, 'Open')));
      }
      body.append(tr);
    }
    if (onselect) head.append(el('th', { scope: 'col' }, el('span', { class: 'muted' }, '')));
    wrap.append(el('div', { class: 'table-wrap' }, el('table', { class: 'data', 'aria-label': label || '' },
      el('thead', {}, head), body)));
    if (pages > 1 || rows.length > pageSize) {
      wrap.append(el('div', { class: 'pager' },
        el('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => { page--; render(); } }, 'Previous'),
        `Page ${page + 1} of ${pages} (${rows.length} rows)`,
        el('button', { type: 'button', class: 'secondary', disabled: page >= pages - 1, onclick: () => { page++; render(); } }, 'Next')));
    } else {
      wrap.append(el('div', { class: 'pager' }, `${rows.length} row${rows.length === 1 ? '' : 's'}`));
    }
  }
  render();
  return wrap;
}

// A destructive action's form: a reason, and the word to type to confirm.
// run(reason) does the call; its resolved value is shown by done(result).
// then(result), when given, runs after the success is shown (to reload the page).
export function confirmForm({ action, word, danger = true, run, done, then }) {
  const reason = el('input', { type: 'text', class: 'wide', name: 'reason', maxlength: 500, required: true });
  const typed = el('input', { type: 'text', name: 'confirm', autocomplete: 'off' });
  const submit = el('button', { type: 'submit', class: danger ? 'danger' : '', disabled: true }, action);
  const out = el('div');
  const check = () => { submit.disabled = !(reason.value.trim() && typed.value === word); };
  reason.addEventListener('input', check);
  typed.addEventListener('input', check);
  const form = el('form', { class: 'inline', onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    out.replaceChildren();
    try {
      const result = await run(reason.value.trim());
      out.append(notice('success', done(result)));
      if (then) await then(result);
    } catch (e) {
      out.append(notice('error', errorText(e)));
      check();
    }
  } },
  el('label', {}, 'Reason (recorded in the audit log)', reason),
  el('label', {}, el('span', {}, 'Type ', el('code', {}, word), ' to confirm'), typed),
  submit);
  return el('div', {}, form, out);
}

// Protobuf wire-format reader, enough for exchange.v1.AuditEvent (the audit
// log's entries are its exact bytes).
function reader(bytes) {
  let pos = 0;
  const utf8 = new TextDecoder();
  const varint = () => {
    let result = 0, scale = 1, b;
    do {
      if (pos >= bytes.length) throw new Error('truncated varint');
      b = bytes[pos++];
      result += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return result;
  };
  return {
    done: () => pos >= bytes.length,
    varint,
    bytes: () => { const n = varint(); const out = bytes.subarray(pos, pos + n); pos += n; return out; },
    string() { return utf8.decode(this.bytes()); },
    skip(wire) {
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 2) pos += varint();
      else if (wire === 5) pos += 4;
      else throw new Error('unsupported wire type ' + wire);
    },
  };
}

const auditStrings = { 2: 'actor_org', 3: 'actor_role', 4: 'actor_fingerprint', 5: 'action', 6: 'subject', 7: 'reason', 9: 'actor_holder' };

export function decodeAuditEvent(base64) {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const r = reader(bytes);
  const event = { at_ms: 0, actor_org: '', actor_role: '', actor_fingerprint: '', action: '', subject: '', reason: '',
    details: {}, actor_holder: '', actor_credential_id: 0 };
  while (!r.done()) {
    const tag = r.varint(), field = Math.floor(tag / 8), wire = tag & 7;
    if (field === 1 && wire === 0) event.at_ms = r.varint();
    else if (field === 10 && wire === 0) event.actor_credential_id = r.varint();
    else if (auditStrings[field] && wire === 2) event[auditStrings[field]] = r.string();
    else if (field === 8 && wire === 2) {
      const entry = reader(r.bytes());
      let key = '', value = '';
      while (!entry.done()) {
        const t = entry.varint();
        if (t === 10) key = entry.string();
        else if (t === 18) value = entry.string();
        else entry.skip(t & 7);
      }
      event.details[key] = value;
    } else r.skip(wire);
  }
  return event;
}

// A file's bytes as standard base64 (what Protobuf's JSON mapping takes for bytes).
export async function fileBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

// ---- Checking a log against its signed checkpoint (docs/feed.md) ----------

const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
export const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

// RFC 9162 §2.1.1: the root of leaves[lo, hi), the leaf hashes given.
async function subtreeRoot(leaves, lo, hi) {
  if (hi - lo === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return sha256(concat(new Uint8Array([1]), await subtreeRoot(leaves, lo, lo + k), await subtreeRoot(leaves, lo + k, hi)));
}

// The Merkle tree root of these entries (each base64, as the API gives them).
export async function merkleRoot(entries) {
  if (!entries.length) return sha256(new Uint8Array(0));
  const leaves = await Promise.all(entries.map((e) => sha256(concat(new Uint8Array([0]), fromBase64(e)))));
  return subtreeRoot(leaves, 0, leaves.length);
}

// Parses a checkpoint note and checks its Ed25519 signature(s) by the given
// verifier keys ("name+hexid+base64(0x01 ‖ key)"). Returns {origin, size,
// root (base64), signedBy: [names whose signature verified]}.
export async function checkCheckpoint(note, vkeys) {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint is not a signed note');
  const body = note.slice(0, split + 1);
  const [origin, size, root] = body.split('\n');
  const signedBy = [];
  for (const vkey of vkeys) {
    // The base64 key may itself hold '+': only the first two separate fields.
    const [name, id, ...rest] = vkey.split('+');
    const key = rest.join('+');
    const raw = fromBase64(key);
    if (raw[0] !== 1 || raw.length !== 33) continue;  // Ed25519 note keys only
    const publicKey = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']);
    for (const line of note.slice(split + 2).split('\n')) {
      const m = line.match(/^\u2014 (\S+) (\S+)$/);
      if (!m || m[1] !== name) continue;
      const sig = fromBase64(m[2]);
      const sigId = [...sig.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
      if (sigId !== id || sig.length !== 68) continue;
      if (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, sig.slice(4), new TextEncoder().encode(body))) signedBy.push(name);
    }
  }
  return { origin, size: Number(size), root, signedBy };
}

export const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export { toBase64 };
