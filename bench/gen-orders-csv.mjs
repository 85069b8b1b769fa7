// Generates an orders CSV of N rows, 10 columns (mixed types, quoted fields with commas,
// ~20% empty values in `note`), deterministic. Streams to disk: 10M rows need no memory.
import { createWriteStream } from 'node:fs';

export async function generateOrdersCsv(path, rows) {
  const out = createWriteStream(path);
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const statuses = ['paid', 'pending', 'refunded', 'cancelled'];
  const countries = ['DE', 'FR', 'US', 'JP', 'BR', 'IN', 'ES', 'IT'];
  out.write('id,customer_id,product,quantity,price,status,email,ordered_at,country,note\n');
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    const q = Math.floor(rnd() * 20) - 2;
    const price = (rnd() * 500).toFixed(2);
    const day = 1 + Math.floor(rnd() * 28);
    const note = rnd() < 0.2 ? '' : rnd() < 0.3 ? `"gift, wrap ${i % 97}"` : `n${i % 1000}`;
    buf += `${i},${1 + Math.floor(rnd() * 50000)},P-${Math.floor(rnd() * 3000)},${q},${price},${statuses[Math.floor(rnd() * 4)]},user${i % 9973}@example.com,2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(day).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00,${countries[i % 8]},${note}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
}
