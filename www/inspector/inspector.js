// The SAML response inspector: saml-edge's ServiceProvider.inspect (the same checks as the
// Worker's ACS) in the browser. Everything from the response is shown with textContent, never
// as HTML.
import { init, ServiceProvider, SamlError } from '/pkg/browser.js';

const $ = (id) => document.getElementById(id);
const ready = init(new URL('/pkg/saml_edge_bg.wasm', location.href));

/** The response as XML, for the prefill only (base64 decoded as UTF-8), or null. */
function responseXml(text) {
  const value = text.trim();
  if (value.startsWith('<')) return value;
  try {
    const bytes = Uint8Array.from(atob(value.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return null;
  }
}

/** Fills empty settings from the (unverified) response: Issuer, Audience, Destination, InResponseTo, IssueInstant. */
function fillFromResponse() {
  const xml = responseXml($('response').value);
  const doc = xml === null ? null : new DOMParser().parseFromString(xml, 'application/xml');
  if (!doc || doc.getElementsByTagName('parsererror').length > 0) {
    showError('The response is neither base64 of XML nor XML.');
    return;
  }
  const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
  const first = (local) => doc.getElementsByTagNameNS(SAML, local)[0]?.textContent.trim() ?? '';
  const root = doc.documentElement;
  const set = (id, value) => {
    if (value && !$(id).value) $(id).value = value;
  };
  set('idp-entity-id', first('Issuer'));
  set('sp-entity-id', first('Audience'));
  set('acs-url', root.getAttribute('Destination') ?? '');
  set('request-id', root.getAttribute('InResponseTo') ?? '');
  set('now', root.getAttribute('IssueInstant') ?? '');
  $('fill-note').hidden = false;
}

function showError(message) {
  $('result').hidden = false;
  $('verdict').textContent = 'Could not inspect';
  $('error').hidden = false;
  $('error').textContent = message;
  $('checks').tBodies[0].replaceChildren();
  $('identity').textContent = '';
  $('xml').textContent = '';
}

function row(check) {
  const tr = document.createElement('tr');
  const cells = [check.name, check.outcome, check.code ?? '', check.message ?? check.description];
  for (const text of cells) tr.insertCell().textContent = text;
  tr.cells[1].className = check.outcome;
  tr.dataset.check = check.name;
  tr.dataset.outcome = check.outcome;
  return tr;
}

async function inspect(event) {
  event.preventDefault();
  await ready;
  const requestId = $('request-id').value.trim();
  const nowText = $('now').value.trim();
  const now = nowText === '' ? Date.now() : Date.parse(nowText);
  if (Number.isNaN(now)) {
    showError('The verification time is not an ISO-8601 time (e.g. 2026-01-15T10:01:00Z).');
    return;
  }
  let sp;
  try {
    sp = new ServiceProvider({
      entityId: $('sp-entity-id').value.trim(),
      acsUrl: $('acs-url').value.trim(),
      idp: { entityId: $('idp-entity-id').value.trim(), certificates: [$('certificates').value] },
      clockSkewSeconds: Number($('skew').value || 180),
      allowUnsolicited: requestId === '',
    });
    const report = sp.inspect($('response').value.trim(), { requestId: requestId === '' ? null : requestId, now });
    $('result').hidden = false;
    $('verdict').textContent = report.error ? `Refused: ${report.error.code}` : 'Every check passed';
    $('verdict').className = report.error ? 'failed' : 'passed';
    $('error').hidden = !report.error;
    $('error').textContent = report.error ? report.error.message : '';
    $('checks').tBodies[0].replaceChildren(...report.checks.map(row));
    $('identity').textContent = report.identity ? JSON.stringify(report.identity, null, 2) : '(none: not every check passed)';
    $('xml').textContent = report.xml ?? '';
  } catch (error) {
    showError(error instanceof SamlError ? `${error.code}: ${error.message}` : String(error));
  } finally {
    sp?.free();
  }
}

$('inspect').addEventListener('submit', inspect);
$('fill').addEventListener('click', fillFromResponse);
