/**
 * The demo's HTML, rendered on the server: the reservation form (with a refusal shown at once) and a
 * reservation's timeline, which a few lines of script keep current from the server's event stream.
 */
import type { Hotel } from './hotel';
import type { TimelineEntry } from './tracker';

export interface FormValues {
  readonly userId: string;
  readonly roomId: string;
  readonly dateStart: string;
  readonly dateEnd: string;
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.4rem; } label { display: block; margin: .6rem 0 .2rem; }
select, input, button { font: inherit; padding: .3rem .5rem; }
button { margin-top: 1rem; }
.refused { background: #fdecea; border-left: 4px solid #c62828; padding: .6rem .8rem; }
ol { padding-left: 1.2rem; } li { margin: .4rem 0; }
li[data-phase=processing] { color: #6b5900; } li[data-phase=ready] { color: #1f5fa8; }
li[data-phase=confirmed] { color: #1b7d33; font-weight: 600; } li[data-phase=rejected], li[data-phase=failed] { color: #c62828; font-weight: 600; }
#status { font-size: 1.2rem; font-weight: 600; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

export function formPage(hotel: Hotel, values: FormValues, refusal?: { code: string; message: string }): string {
  const options = (items: readonly { id: string; label: string }[], selected: string) =>
    items
      .map(
        ({ id, label }) =>
          `<option value="${escapeHtml(id)}"${id === selected ? ' selected' : ''}>${escapeHtml(label)}</option>`,
      )
      .join('');
  const guests = hotel.guests.map((g) => ({
    id: g.id,
    label: `${g.name} (credit ${(g.creditLimit / 100).toFixed(2)} EUR)`,
  }));
  const rooms = hotel.rooms.map((r) => ({
    id: r.id,
    label: `${r.name}, ${(r.nightlyPrice / 100).toFixed(2)} ${r.currency} a night`,
  }));
  const refused = refusal
    ? `<p class="refused" id="refusal" data-code="${escapeHtml(refusal.code)}">Refused at once: <strong>${escapeHtml(
        refusal.code,
      )}</strong>: ${escapeHtml(refusal.message)}</p>`
    : '';
  return layout(
    'Reserve a room',
    `<h1>Reserve a room</h1>${refused}
<form method="post" action="/reservations">
<label for="userId">Guest</label><select id="userId" name="userId">${options(guests, values.userId)}</select>
<label for="roomId">Room</label><select id="roomId" name="roomId">${options(rooms, values.roomId)}</select>
<label for="dateStart">First night</label><input id="dateStart" name="dateStart" type="date" value="${escapeHtml(values.dateStart)}">
<label for="dateEnd">Departure</label><input id="dateEnd" name="dateEnd" type="date" value="${escapeHtml(values.dateEnd)}">
<div><button type="submit">Reserve</button></div>
</form>`,
  );
}

export function reservationPage(id: string, entries: readonly TimelineEntry[]): string {
  const last = entries[entries.length - 1];
  const items = entries.map((e) => `<li data-phase="${e.phase}">${escapeHtml(e.text)}</li>`).join('');
  return layout(
    `Reservation ${id}`,
    `<h1>Reservation <code>${escapeHtml(id)}</code></h1>
<p id="status" data-phase="${last?.phase ?? ''}">${escapeHtml(headline(last))}</p>
<ol id="timeline" data-last="${last?.seq ?? 0}">${items}</ol>
<p><a href="/">Another reservation</a></p>
<script>
(() => {
  const timeline = document.getElementById('timeline');
  const status = document.getElementById('status');
  const headlines = ${JSON.stringify(HEADLINES)};
  if (${last?.final === true}) return;
  const source = new EventSource('/reservations/${encodeURIComponent(id)}/events?after=' + timeline.dataset.last);
  source.onmessage = (message) => {
    const entry = JSON.parse(message.data);
    const item = document.createElement('li');
    item.dataset.phase = entry.phase;
    item.textContent = entry.text;
    timeline.append(item);
    timeline.dataset.last = entry.seq;
    status.dataset.phase = entry.phase;
    status.textContent = headlines[entry.phase];
    if (entry.final) source.close();
  };
})();
</script>`,
  );
}

const HEADLINES: Record<TimelineEntry['phase'], string> = {
  processing: 'Being processed',
  ready: 'Ready: the hotel is confirming it',
  confirmed: 'Confirmed',
  rejected: 'Rejected',
  failed: 'Not stored',
};

function headline(entry: TimelineEntry | undefined): string {
  return entry === undefined ? '' : HEADLINES[entry.phase];
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back</a></p>`);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
