// SPDX-License-Identifier: Apache-2.0
// The console's pages, each a client of the JSON API (docs/api.md): what a
// page shows is what the API answers this certificate, and every action is
// the API call its exchangectl twin makes. `roles` says in whose navigation a
// page appears; the API, not this list, decides what the caller may do.
import {
  api, badge, checkCheckpoint, confirmForm, decodeAuditEvent, el, errorText, facts, fileBase64, merkleRoot, notice, number,
  table, toBase64, when, whenMs,
} from './ui.js';

const enc = encodeURIComponent;

// ---- Everyone: who I am -------------------------------------------------
async function whoami(section, state) {
  const w = state.whoami;
  const days = w.not_after ? Math.floor((new Date(w.not_after) - Date.now()) / 86400000) : null;
  section.append(el('h1', {}, 'Who I am'),
    el('div', { class: 'card' }, facts([
      ['Organisation', `${w.org_name} (${w.org})`],
      ['Role', w.role],
      ['Credential', `#${w.credential_id}${state.holder ? ', held by ' + state.holder : ''}`],
      ['Certificate fingerprint', el('code', {}, w.fingerprint)],
      ['Expires', `${when(w.not_after)}${days !== null ? ` (in ${days} days)` : ''}`],
    ])));
  const creds = await api('GET', '/v1/credentials');
  section.append(el('h2', {}, "My organisation's credentials"), table({
    label: 'credentials',
    rows: creds.credentials || [],
    columns: [
      { key: 'credential_id', label: 'Credential', numeric: true },
      { key: 'role', label: 'Role' },
      { key: 'holder', label: 'Holder' },
      { key: 'status', label: 'Status', render: (c) => badge(c.status) },
      { key: 'not_after', label: 'Expires', render: (c) => when(c.not_after) },
      { key: 'current', label: 'This browser', render: (c) => (c.current ? 'yes' : '') },
    ],
  }));
}

// ---- Admins: applications -----------------------------------------------
function applicationState(a) {
  if (a.status === 'pending' && a.approved_by.length === 1) return badge('waiting for a second admin', 'waiting');
  return badge(a.status);
}

// `after`: {app, message} to show an application after a decision.
async function applications(section, state, after) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const status = params.get('status') ?? 'pending';
  const filter = el('select', { name: 'status', onchange: () => { location.hash = '#/applications?status=' + filter.value; } },
    ...[['pending', 'Pending'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['', 'All']]
      .map(([v, t]) => el('option', { value: v, selected: v === status }, t)));
  const detail = el('div', { id: 'application-detail' });
  const list = await api('GET', '/v1/admin/applications' + (status ? '?status=' + status : ''));
  const reload = (app, message) => applications(section, state, { app, message });
  section.replaceChildren(el('h1', {}, 'Applications'),
    el('p', { class: 'muted' }, 'An application needs two approvals from two different admins; one rejection rejects it.'),
    el('div', { class: 'row' }, el('label', {}, 'Show', filter)));
  const rows = (list.applications || []).slice().reverse();
  section.append(table({
    label: 'applications', rows, empty: 'No applications here.',
    columns: [
      { key: 'org_name', label: 'Organisation', render: (a) => [a.org_name, ' ', el('span', { class: 'muted' }, `(${a.org})`)] },
      { key: 'domain', label: 'Domain' },
      { key: 'contact', label: 'Contact' },
      { key: 'created_at', label: 'Submitted', render: (a) => when(a.created_at) },
      { key: 'approvals', label: 'Approvals', numeric: true, value: (a) => a.approved_by.length },
      { key: 'status', label: 'Status', render: applicationState },
    ],
    onselect: (a) => showApplication(detail, a, state, reload),
  }), detail);
  if (after) {
    showApplication(detail, after.app, state, reload);
    detail.prepend(notice('success', after.message));
  }
}

function showApplication(detail, a, state, reload) {
  const mine = state.holder && a.approved_by.includes(state.holder);
  const card = el('div', { class: 'card' }, el('h2', {}, `Application from ${a.org_name}`), facts([
    ['Application', el('code', {}, a.application_id)],
    ['Organisation', `${a.org_name} (slug ${a.org})`],
    ['Legal name', a.legal_name], ['Domain', a.domain], ['Contact', a.contact],
    ['Legal basis', a.legal_basis],
    ['Submitted', when(a.created_at)],
    ['Status', applicationState(a)],
    ['Approved by', a.approved_by.join(', ') || (a.status === 'pending' ? 'nobody yet' : 'nobody')],
    ['Rejected by', a.rejected_by.join(', ') || '—'],
  ]));
  detail.replaceChildren(card);
  if (a.status !== 'pending') return;
  if (mine) card.append(notice('info', 'You approved this application; it is waiting for a second admin.'));
  const reason = el('input', { type: 'text', class: 'wide', name: 'approve-reason', maxlength: 500 });
  const approve = el('button', { type: 'submit', disabled: mine }, a.approved_by.length ? 'Approve (second admin: issues the certificate)' : 'Approve');
  const out = el('div');
  card.append(el('h2', {}, 'Approve'), el('form', { class: 'inline', id: 'approve-form', onsubmit: async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!reason.value.trim()) { out.append(notice('error', 'A reason is required.')); return; }
    approve.disabled = true;
    try {
      const after = await api('POST', `/v1/admin/applications/${enc(a.application_id)}/approve`, { reason: reason.value.trim() });
      await reload(after, after.status === 'approved'
        ? `Approved by ${after.approved_by.join(' and ')}: the certificate is issued.`
        : 'Approved: waiting for a second admin.');
    } catch (e) {
      out.append(notice('error', errorText(e)));
      approve.disabled = false;
    }
  } }, el('label', {}, 'Reason (recorded in the audit log)', reason), approve), out);
  card.append(el('h2', {}, 'Reject'), confirmForm({
    action: 'Reject', word: a.org,
    run: (why) => api('POST', `/v1/admin/applications/${enc(a.application_id)}/reject`, { reason: why }),
    done: () => `Rejected application ${a.application_id}.`,
    then: (after) => reload(after, `Rejected application ${a.application_id}.`),
  }));
}

// ---- Admins and auditors: organisations ------------------------------------
// `after`: {open: slug, message} to reopen an organisation after an action.
async function organisations(section, state, after) {
  const detail = el('div', { id: 'org-detail' });
  const list = await api('GET', '/v1/admin/orgs');
  section.replaceChildren(el('h1', {}, 'Organisations'));
  const admin = state.whoami.role === 'admin';
  const reload = (slug, message) => organisations(section, state, { open: slug, message });
  section.append(table({
    label: 'organisations', rows: list.organisations || [],
    columns: [
      { key: 'slug', label: 'Slug' },
      { key: 'name', label: 'Name' },
      { key: 'status', label: 'Status', render: (o) => badge(o.status) },
      { key: 'status_reason', label: 'Reason of last change' },
      { key: 'active_credentials', label: 'Active credentials', numeric: true },
      { key: 'created_at', label: 'Joined', render: (o) => when(o.created_at) },
    ],
    onselect: admin ? (o) => showOrganisation(detail, o, state, reload) : undefined,
  }), detail);
  const reopened = after && (list.organisations || []).find((o) => o.slug === after.open);
  if (reopened) {
    showOrganisation(detail, reopened, state, reload);
    detail.prepend(notice('success', after.message));
  }
}

function showOrganisation(detail, o, state, reload) {
  const card = el('div', { class: 'card' }, el('h2', {}, `${o.name} (${o.slug})`), facts([
    ['Status', badge(o.status)], ['Reason of last change', o.status_reason || '—'],
    ['Active credentials', number(o.active_credentials)], ['Joined', when(o.created_at)],
  ]));
  detail.replaceChildren(card);
  if (o.slug === state.whoami.org) {
    card.append(notice('info', "An admin may not change its own organisation's status."));
    return;
  }
  const verbs = o.status === 'active' ? ['suspend', 'revoke'] : o.status === 'suspended' ? ['reinstate', 'revoke'] : [];
  if (!verbs.length) card.append(notice('info', 'A revoked organisation cannot be reinstated.'));
  for (const verb of verbs) {
    card.append(el('h2', {}, verb[0].toUpperCase() + verb.slice(1) + (verb === 'revoke' ? ' (for good)' : '')), confirmForm({
      action: verb[0].toUpperCase() + verb.slice(1), word: o.slug, danger: verb !== 'reinstate',
      run: (why) => api('POST', `/v1/admin/orgs/${enc(o.slug)}/${verb}`, { reason: why }),
      done: (after) => `${o.slug} is now ${after.status}.`,
      then: (after) => reload(o.slug, `${o.slug} is now ${after.status}.`),
    }));
  }
}

// ---- Admins and auditors: collections and grants ----------------------------
async function collections(section, state) {
  section.append(el('h1', {}, 'Collections and grants'));
  const cols = (await api('GET', '/v1/collections')).collections || [];
  const detail = el('div', { id: 'collection-detail' });
  section.append(table({
    label: 'collections', rows: cols,
    columns: [
      { key: 'name', label: 'Collection' },
      { key: 'description', label: 'Description' },
      { key: 'attribution', label: 'Attribution' },
      { key: 'allowed_kinds', label: 'Kinds', value: (c) => (c.allowed_kinds || []).join(', ') || 'any' },
      { key: 'log_size', label: 'Log entries', numeric: true },
      { key: 'grants', label: 'Organisations granted', numeric: true, value: (c) => (c.grants || []).length },
    ],
    onselect: (c) => showCollection(detail, c, state),
  }), detail);
}

async function showCollection(detail, c, state) {
  const card = el('div', { class: 'card' }, el('h2', {}, c.name), facts([
    ['Description', c.description || '—'],
    ['Required fields', (c.required_fields || []).join(', ') || 'none'],
    ['Categories', (c.allowed_categories || []).join(', ') || 'any'],
    ['Dispute rule', `${c.dispute_min_orgs} organisations${c.dispute_needs_majority ? ', and more disputes than confirmations' : ''}`],
  ]), table({
    label: 'grants', rows: c.grants || [], empty: 'No organisation holds a grant.',
    columns: [{ key: 'org', label: 'Organisation' }, { key: 'access', label: 'Access', render: (g) => badge(g.access, 'ok') }],
  }));
  detail.replaceChildren(card);
  if (state.whoami.role !== 'admin') return;
  const orgs = (await api('GET', '/v1/admin/orgs')).organisations || [];
  const org = el('select', { name: 'org' }, ...orgs.map((o) => el('option', { value: o.slug }, `${o.slug} (${o.status})`)));
  const access = el('select', { name: 'access' }, ...['read', 'write', 'none'].map((a) => el('option', { value: a }, a)));
  const reason = el('input', { type: 'text', class: 'wide', name: 'grant-reason', maxlength: 2000 });
  const out = el('div');
  card.append(el('h2', {}, 'Set a grant'), el('form', { class: 'inline', id: 'grant-form', onsubmit: async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!reason.value.trim()) { out.append(notice('error', 'A reason is required.')); return; }
    try {
      const g = await api('PUT', `/v1/collections/${enc(c.name)}/grants/${enc(org.value)}`, { access: access.value, reason: reason.value.trim() });
      const fresh = ((await api('GET', '/v1/collections')).collections || []).find((x) => x.name === c.name) || c;
      await showCollection(detail, fresh, state);
      detail.prepend(notice('success', `${g.org} now has ${g.access} access to ${c.name}.`));
    } catch (e) {
      out.append(notice('error', errorText(e)));
    }
  } }, el('label', {}, 'Organisation', org), el('label', {}, 'Access', access),
  el('label', {}, 'Reason (recorded in the audit log)', reason), el('button', { type: 'submit' }, 'Set')), out);
}

// ---- Admins and auditors: the audit log --------------------------------------
// The most entries the page fetches to check the checkpoint's root itself.
const kMaxVerifiedEntries = 50000;

async function audit(section) {
  section.append(el('h1', {}, 'Audit log'));
  const note = await (await fetch('/v1/audit/checkpoint', { credentials: 'same-origin', cache: 'no-store' })).text();
  const keys = await api('GET', '/v1/keys');
  const verdict = el('div', { id: 'checkpoint' });
  let checkpoint = { size: 0, root: '', signedBy: [] };
  try {
    checkpoint = await checkCheckpoint(note, keys.feed_vkeys || []);
  } catch (e) {
    verdict.append(notice('error', 'The checkpoint could not be read: ' + errorText(e)));
  }
  const size = checkpoint.size;
  const all = [];
  if (size <= kMaxVerifiedEntries) {
    while (all.length < size) {
      const page = await api('GET', `/v1/audit/entries?start=${all.length}&limit=${Math.min(10000, size - all.length)}`);
      if (!page.entries || !page.entries.length) break;
      all.push(...page.entries.slice(0, size - all.length));
    }
  } else {
    const page = await api('GET', `/v1/audit/entries?start=${size - 1000}&limit=1000`);
    all.length = size - 1000;
    all.push(...page.entries);
  }
  if (size <= kMaxVerifiedEntries && checkpoint.root) {
    const root = toBase64(await merkleRoot(all));
    const signed = checkpoint.signedBy.length > 0;
    const ok = signed && root === checkpoint.root && all.length === size;
    verdict.append(notice(ok ? 'success' : 'error', ok
      ? `The checkpoint verifies: ${number(size)} entries, root ${checkpoint.root}, signed by ${checkpoint.signedBy.join(', ')}, and the entries served hash to that root.`
      : `The checkpoint does NOT verify: ${signed ? '' : 'no signature by a feed key in /v1/keys; '}${root === checkpoint.root ? '' : 'the entries served hash to ' + root + ', not ' + checkpoint.root}.`),
    el('p', { class: 'muted' }, 'Checked in this page against the keys the exchange publishes; to check against keys you hold, use exchangectl audit verify with your trusted feed key.'));
  } else if (checkpoint.root) {
    verdict.append(notice('info', `The log holds ${number(size)} entries, too many to check in the browser: use exchangectl audit verify.`));
  }
  section.append(verdict);
  const newest = 1000;
  const start = Math.max(0, size - newest);
  const events = all.slice(start).map((b, i) => ({ index: start + i, ...decodeAuditEvent(b) })).reverse();
  const text = el('input', { type: 'search', name: 'filter', 'aria-label': 'words in action, organisation, subject or reason', class: 'wide' });
  const actions = [...new Set(events.map((e) => e.action))].sort();
  const action = el('select', { name: 'action' }, el('option', { value: '' }, 'every action'), ...actions.map((a) => el('option', { value: a }, a)));
  const holder = el('div');
  const columns = [
    { key: 'index', label: '#', numeric: true },
    { key: 'at_ms', label: 'When', render: (e) => whenMs(e.at_ms) },
    { key: 'action', label: 'Action', render: (e) => el('code', {}, e.action) },
    { key: 'actor', label: 'Actor', value: (e) => [e.actor_org, e.actor_role, e.actor_holder].filter(Boolean).join(' / ') },
    { key: 'subject', label: 'Subject', render: (e) => el('code', {}, e.subject) },
    { key: 'reason', label: 'Reason' },
    { key: 'details', label: 'Details', value: (e) => Object.entries(e.details).map(([k, v]) => `${k}=${v}`).join(' ') },
  ];
  const show = () => {
    const needle = text.value.trim().toLowerCase();
    const rows = events.filter((e) => (!action.value || e.action === action.value) &&
      (!needle || JSON.stringify(e).toLowerCase().includes(needle)));
    holder.replaceChildren(table({ label: 'audit events', rows, columns, pageSize: 50, empty: 'No event matches.' }));
  };
  text.addEventListener('input', show);
  action.addEventListener('change', show);
  section.append(el('p', { class: 'muted' }, `${number(size)} events in the log; newest first${size > newest ? `, the newest ${number(newest)} shown` : ''}.`),
    el('div', { class: 'row' }, el('label', {}, 'Filter', text), el('label', {}, 'Action', action)), holder);
  show();
}

// ---- Everyone: the annual report -------------------------------------------
async function report(section) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const year = params.get('year') || String(new Date().getUTCFullYear());
  const input = el('input', { type: 'number', name: 'year', min: 2000, max: new Date().getUTCFullYear(), value: year });
  section.append(el('h1', {}, `Annual report ${year}`), el('form', { class: 'inline', onsubmit: (event) => {
    event.preventDefault();
    location.hash = '#/report?year=' + input.value;
  } }, el('label', {}, 'Year', input), el('button', { type: 'submit' }, 'Show')));
  const r = await api('GET', `/v1/reports/annual/${enc(year)}?format=json`);
  const downloads = el('div', { class: 'downloads', id: 'downloads' });
  section.append(el('div', { class: 'card' }, facts([
    ['Exchange', r.exchange], ['Scope', r.scope], ['As of', when(r.as_of)],
    ['Year closed', r.closed ? 'yes' : 'no, the year is still running'],
  ]), el('h2', {}, 'Signed files'),
  el('p', { class: 'muted' }, 'Each file comes with its Ed25519 signature (the X-Exchange-Signature header, base64) made with the report key; docs/reports.md says how to check it.'),
  el('div', { class: 'row' }, ...['json', 'csv', 'html'].map((f) => el('button', { type: 'button', class: 'secondary', onclick: () => fetchSigned(year, f, downloads) }, `Get ${f.toUpperCase()} + signature`)),
    el('a', { href: `/v1/reports/annual/${enc(year)}?format=html`, target: '_blank', rel: 'noopener', id: 'open-html' }, 'Open the HTML report')),
  downloads));
  section.append(el('h2', {}, 'Logs covered'), table({
    label: 'logs', rows: r.logs || [],
    columns: [{ key: 'log', label: 'Log' }, { key: 'size', label: 'Entries', numeric: true }, { key: 'root', label: 'Root', render: (l) => el('code', {}, l.root) }],
  }));
  const sections = [...new Set((r.figures || []).map((f) => f.section))];
  const pick = el('select', { name: 'section' }, el('option', { value: '' }, 'every section'), ...sections.map((s) => el('option', { value: s }, s)));
  const holder = el('div');
  const show = () => holder.replaceChildren(table({
    label: 'figures', rows: (r.figures || []).filter((f) => !pick.value || f.section === pick.value), pageSize: 50,
    columns: [
      { key: 'section', label: 'Section' }, { key: 'org', label: 'Organisation' }, { key: 'dimension', label: 'Dimension' },
      { key: 'key', label: 'Key' },
      { key: 'value', label: 'Value', numeric: true, render: (f) => (f.suppressed ? 'withheld' : number(f.value)) },
      { key: 'samples', label: 'Samples', numeric: true },
    ],
  }));
  pick.addEventListener('change', show);
  section.append(el('h2', {}, 'Figures'), el('div', { class: 'row' }, el('label', {}, 'Section', pick)), holder);
  show();
}

async function fetchSigned(year, format, downloads) {
  try {
    const response = await fetch(`/v1/reports/annual/${enc(year)}?format=${format}`, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    const signature = response.headers.get('X-Exchange-Signature') || '';
    const body = await response.blob();
    const name = `annual-report-${year}.${format}`;
    const file = el('a', { href: URL.createObjectURL(body), download: name, class: 'download', 'data-format': format }, `${name} (${number(body.size)} bytes)`);
    const sig = el('a', { href: URL.createObjectURL(new Blob([signature + '\n'], { type: 'text/plain' })), download: name + '.sig', class: 'signature', 'data-format': format }, `${name}.sig`);
    downloads.append(el('p', {}, file, sig, ' signature ', el('code', { class: 'signature-text' }, signature)));
  } catch (e) {
    downloads.append(notice('error', errorText(e)));
  }
}

// ---- Members (and anyone with read): look up values and images ---------------
const kinds = ['md5', 'sha1', 'sha256', 'pdq', 'photodna', 'url', 'domain', 'keyword', 'account_id', 'tmk_pdqf', 'vpdq'];

async function lookup(section, state) {
  const cols = (await api('GET', '/v1/collections')).collections || [];
  section.append(el('h1', {}, 'Look up'), el('p', { class: 'muted' },
    `Against every collection you may read: ${cols.map((c) => c.name).join(', ') || 'none'}.`));
  const results = el('div', { id: 'lookup-results' });
  const kind = el('select', { name: 'kind' }, ...kinds.map((k) => el('option', { value: k }, k)));
  const value = el('input', { type: 'text', name: 'value', class: 'wide', required: true });
  const file = el('input', { type: 'file', name: 'image', accept: 'image/jpeg,image/png,image/webp' });
  section.append(el('div', { class: 'card' }, el('h2', {}, 'A value'),
    el('form', { class: 'inline', id: 'value-form', onsubmit: (event) => {
      event.preventDefault();
      run(results, cols, state, `${kind.value} ${value.value}`, { values: [{ kind: kind.value, value: value.value }] });
    } }, el('label', {}, 'Kind', kind), el('label', {}, 'Value', value), el('button', { type: 'submit' }, 'Look up')),
    el('h2', {}, 'An image'),
    el('p', { class: 'muted' }, 'The exchange computes the image\'s PDQ hash and forgets the image; only the hash is looked up.'),
    el('form', { class: 'inline', id: 'image-form', onsubmit: async (event) => {
      event.preventDefault();
      if (!file.files.length) return;
      results.replaceChildren(el('p', { class: 'muted' }, 'Hashing…'));
      try {
        const hashed = await api('POST', '/v1/images/pdq', { image: await fileBase64(file.files[0]) });
        const head = notice('info', `PDQ of ${file.files[0].name} (${hashed.format}): `, el('code', { id: 'image-pdq' }, hashed.pdq), ` quality ${hashed.quality}`);
        await run(results, cols, state, 'pdq ' + hashed.pdq, { pdq: [hashed.pdq] }, head);
      } catch (e) {
        results.replaceChildren(notice('error', errorText(e)));
      }
    } }, el('label', {}, 'Image (JPEG, PNG or WebP)', file), el('button', { type: 'submit' }, 'Hash and look up'))), results);
}

async function run(results, cols, state, what, body, head) {
  results.replaceChildren(el('p', { class: 'muted' }, 'Looking up…'));
  const rows = [];
  const errors = [];
  for (const c of cols) {
    try {
      const answer = await api('POST', `/v1/collections/${enc(c.name)}/lookup`, body);
      for (const r of answer.results || []) {
        if (r.error) errors.push(`${c.name}: ${r.error}`);
        for (const m of r.matches || []) rows.push({ collection: c.name, ...m, ...m.state });
      }
    } catch (e) {
      errors.push(`${c.name}: ${errorText(e)}`);
    }
  }
  const detail = el('div', { id: 'signal-detail' });
  results.replaceChildren(...[head].filter(Boolean), el('h2', {}, `Matches for ${what}`),
    ...errors.map((e) => notice('error', e)),
    table({
      label: 'matches', rows, empty: 'No collection you may read holds it.',
      columns: [
        { key: 'collection', label: 'Collection' },
        { key: 'match', label: 'Match' },
        { key: 'kind', label: 'Kind' },
        { key: 'value', label: 'Value', render: (m) => el('code', {}, m.value) },
        { key: 'status', label: 'Status', render: (m) => badge(m.status) },
        { key: 'distance', label: 'Distance', numeric: true },
        { key: 'contributors', label: 'Contributors', numeric: true },
        { key: 'confirmations', label: 'Confirmations', numeric: true },
        { key: 'disputes', label: 'Disputes', numeric: true },
        { key: 'contributor_orgs', label: 'Contributed by', value: (m) => (m.contributor_orgs || []).join(', ') },
        { key: 'categories', label: 'Categories', value: (m) => (m.categories || []).join(', ') },
      ],
      onselect: (m) => showSignal(detail, m, state),
    }), detail);
}

// One signal with its contributions; the caller's own live one can be retracted.
async function showSignal(detail, m, state) {
  detail.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const info = await api('GET', `/v1/collections/${enc(m.collection)}/signals/${enc(m.kind)}/${enc(m.value)}`);
    const card = el('div', { class: 'card' }, el('h2', {}, `${m.kind} in ${m.collection}`), el('p', {}, el('code', {}, m.value)),
      table({
        label: 'contributions', rows: info.contributions || [],
        columns: [
          { key: 'org', label: 'Organisation', value: (c) => c.org || (c.own ? state.whoami.org : 'anonymous') },
          { key: 'category', label: 'Category' },
          { key: 'labels', label: 'Labels', value: (c) => (c.labels || []).join(', ') },
          { key: 'created_at', label: 'Contributed', render: (c) => when(c.created_at) },
          { key: 'expires_at', label: 'Expires', render: (c) => when(c.expires_at) },
          { key: 'retracted_at', label: 'Retracted', render: (c) => when(c.retracted_at) },
        ],
      }));
    const own = (info.contributions || []).find((c) => c.own && !c.retracted_at);
    if (own) {
      card.append(el('h2', {}, 'Retract my contribution'), confirmForm({
        action: 'Retract', word: 'retract',
        run: async () => {
          const out = await api('POST', `/v1/collections/${enc(m.collection)}/retractions`, { signals: [{ kind: m.kind, value: m.value }] });
          const r = out.results[0];
          if (r.status !== 'ok') throw new Error(r.error);
          return r;
        },
        done: () => 'Retracted: the feed carries the retraction.',
      }));
    }
    detail.replaceChildren(card);
  } catch (e) {
    detail.replaceChildren(notice('error', errorText(e)));
  }
}

// ---- Members: my contributions, a page of 50 at a time from the exchange ------
async function contributions(section, state) {
  const cols = (await api('GET', '/v1/collections')).collections || [];
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const name = params.get('collection') || (cols[0] ? cols[0].name : '');
  const start = Number(params.get('start') || 0);
  const size = 50;
  const go = (c, s) => { location.hash = `#/contributions?collection=${enc(c)}&start=${s}`; };
  const pick = el('select', { name: 'collection', onchange: () => go(pick.value, 0) },
    ...cols.map((c) => el('option', { value: c.name, selected: c.name === name }, c.name)));
  section.append(el('h1', {}, 'My contributions'), el('div', { class: 'row' }, el('label', {}, 'Collection', pick)));
  if (!name) {
    section.append(el('p', { class: 'muted' }, 'Your organisation holds no grant on any collection.'));
    return;
  }
  const page = await api('GET', `/v1/collections/${enc(name)}/contributions?start=${start}&limit=${size}`);
  const total = Number(page.total);
  const detail = el('div', { id: 'contribution-detail' });
  section.append(el('p', { class: 'muted' }, `${number(total)} contributions of ${state.whoami.org} to ${name}, newest first.`),
    table({
      label: 'contributions', rows: page.contributions || [], pageSize: size, empty: 'None yet.',
      columns: [
        { key: 'kind', label: 'Kind' },
        { key: 'value', label: 'Value', render: (c) => el('code', {}, c.value) },
        { key: 'status', label: 'Signal', render: (c) => badge(c.status) },
        { key: 'category', label: 'Category' },
        { key: 'confirmations', label: 'Confirmations', numeric: true },
        { key: 'disputes', label: 'Disputes', numeric: true },
        { key: 'created_at', label: 'Contributed', render: (c) => when(c.created_at) },
        { key: 'expires_at', label: 'Expires', render: (c) => when(c.expires_at) },
        { key: 'retracted_at', label: 'Retracted', render: (c) => when(c.retracted_at) },
      ],
      onselect: (c) => showSignal(detail, { collection: name, kind: c.kind, value: c.value }, state),
    }),
    el('div', { class: 'pager' },
      el('button', { type: 'button', class: 'secondary', disabled: start === 0, onclick: () => go(name, Math.max(0, start - size)) }, 'Newer'),
      `${total ? start + 1 : 0}–${Math.min(total, start + size)} of ${number(total)}`,
      el('button', { type: 'button', class: 'secondary', disabled: start + size >= total, onclick: () => go(name, start + size) }, 'Older')),
    detail);
}

export const pages = [
  { id: 'whoami', title: 'Who I am', roles: ['member', 'admin', 'auditor'], render: whoami },
  { id: 'applications', title: 'Applications', roles: ['admin'], render: applications },
  { id: 'organisations', title: 'Organisations', roles: ['admin', 'auditor'], render: organisations },
  { id: 'collections', title: 'Collections', roles: ['admin', 'auditor'], render: collections },
  { id: 'audit', title: 'Audit log', roles: ['admin', 'auditor'], render: audit },
  { id: 'report', title: 'Annual report', roles: ['member', 'admin', 'auditor'], render: report },
  { id: 'lookup', title: 'Look up', roles: ['member', 'admin', 'auditor'], render: lookup },
  { id: 'contributions', title: 'My contributions', roles: ['member'], render: contributions },
];
