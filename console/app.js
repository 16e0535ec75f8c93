// SPDX-License-Identifier: Apache-2.0
// The console's entry point: asks the exchange who the certificate belongs
// to, builds the navigation for that role, and shows the page the address's
// fragment names (#/applications, ...). A refused certificate gets a page
// that says why, and nothing else.
import { api, el, errorText, ApiError } from './ui.js';
import { pages } from './pages.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const me = document.getElementById('me');
const state = { whoami: null, holder: '' };

function refused(e) {
  document.title = 'Certificate refused · Coalition Hash Exchange';
  nav.replaceChildren();
  me.replaceChildren();
  const reason = e instanceof ApiError && e.status ? e.message : errorText(e);
  const help = e instanceof ApiError && e.status === 403
    ? 'The exchange knows this certificate but will not serve it. Ask the coalition\'s admins; if your organisation was suspended they can tell you why and when it may be reinstated.'
    : e instanceof ApiError && e.status === 401
      ? 'The browser sent no client certificate. Import yours (docs/console.md explains how) and reload.'
      : 'Reload the page; if this stays, the exchange may be down.';
  main.replaceChildren(el('section', { class: 'card refused', id: 'refused' },
    el('h1', {}, 'The exchange refused your certificate'),
    el('p', { class: 'reason' }, el('strong', {}, reason)),
    e instanceof ApiError && e.status ? el('p', { class: 'muted' }, `HTTP ${e.status} · ${e.code}`) : null,
    el('p', {}, help)));
}

function route() {
  const name = (location.hash.replace(/^#\/?/, '').split('?')[0] || 'whoami');
  const available = pages.filter((p) => p.roles.includes(state.whoami.role));
  const page = available.find((p) => p.id === name) || available[0];
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('current', a.dataset.page === page.id);
  document.title = `${page.title} · Coalition Hash Exchange`;
  const section = el('section', { id: 'page-' + page.id });
  main.replaceChildren(section);
  page.render(section, state).catch((e) => {
    section.append(el('div', { class: 'notice error', role: 'alert' }, errorText(e)));
    if (e instanceof ApiError && (e.status === 401 || (e.status === 403 && /suspended|revoked|not registered|expired/.test(e.message)))) refused(e);
  });
  main.focus();
}

async function start() {
  try {
    state.whoami = await api('GET', '/v1/whoami');
  } catch (e) {
    refused(e);
    return;
  }
  try {
    const creds = await api('GET', '/v1/credentials');
    const current = (creds.credentials || []).find((c) => c.current);
    state.holder = current ? current.holder : '';
  } catch (e) {
    state.holder = '';
  }
  const w = state.whoami;
  me.replaceChildren(`${w.org_name || w.org} · ${w.role}`);
  nav.replaceChildren(...pages.filter((p) => p.roles.includes(w.role))
    .map((p) => el('a', { href: '#/' + p.id, 'data-page': p.id }, p.title)));
  window.addEventListener('hashchange', route);
  route();
}

start();
