// Shows the session (GET /saml/session) on the demo page.
(async () => {
  const section = document.getElementById('identity');
  const response = await fetch('/saml/session', { credentials: 'same-origin' });
  section.textContent = '';
  if (!response.ok) {
    section.append(Object.assign(document.createElement('p'), { textContent: 'No session.' }));
    return;
  }
  const session = await response.json();
  const who = document.createElement('p');
  who.id = 'name-id';
  who.textContent = `You are ${session.nameId}`;
  const until = Object.assign(document.createElement('p'), { textContent: `Session ends ${session.expiresAt}.` });
  const table = document.createElement('table');
  for (const [name, values] of Object.entries(session.attributes)) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = values.join(', ');
  }
  section.append(who, until, table);
})();
