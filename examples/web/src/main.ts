// The page: mounts the form against the leadgate named by VITE_LEADGATE_URL with the key in
// VITE_LEADGATE_API_KEY (both read when Vite serves or builds the page; see README.md).
import './style.css';

import { mountLeadForm } from './form';
import { createClient } from './leadgate';

const url = import.meta.env.VITE_LEADGATE_URL || 'http://127.0.0.1:8080';
const apiKey = import.meta.env.VITE_LEADGATE_API_KEY ?? '';
const root = document.getElementById('app')!;

document.getElementById('endpoint')!.textContent = url;
if (!apiKey) {
  root.textContent =
    'VITE_LEADGATE_API_KEY is not set: put the key `leadgate serve --demo` prints into .env.local (see README.md).';
  root.className = 'form-error';
} else {
  mountLeadForm(root, createClient({ url, apiKey }));
}
