import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Field } from '../components/field';
import { listOf } from '../sessions/live';
import { toast } from '../toast';

interface Account {
  email: string;
  name: string;
  role: 'student' | 'instructor';
}
/** The import's answer (all or nothing): who was added; a refused import lists its problems by line. */
interface ImportResult {
  imported: Account[];
  lines?: { line: number; email: string; result: string }[];
}
interface ImportRefusal {
  errors?: { line: number; message: string }[];
}

const userPath = (email: string) => `/api/users/${encodeURIComponent(email)}`;

/** #/accounts: the roster — list, add, import a CSV (errors per line), rename, reset a password, remove. */
export function Accounts() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  useEffect(() => {
    api<unknown>('GET', '/api/users')
      .then((r) => setAccounts(listOf<Account>(r, 'users')))
      .catch((e: Error) => setError(e.message));
  }, [version]);
  return (
    <>
      <h1 class="page-title">Accounts</h1>
      <div class="grid">
        <section class="card" aria-labelledby="add-h">
          <h2 id="add-h">Add an account</h2>
          <AddForm onAdded={reload} />
        </section>
        <section class="card" aria-labelledby="import-h">
          <h2 id="import-h">Import a roster (CSV)</h2>
          <ImportForm onImported={reload} />
        </section>
      </div>
      <section class="card wide" aria-labelledby="accounts-h">
        <h2 id="accounts-h">Everyone ({accounts?.length ?? '…'})</h2>
        {error ? <p class="form-error">Could not load: {error}</p> : null}
        {accounts?.length ? (
          <ul class="plain account-list">
            {[...accounts]
              .sort((a, b) => a.role.localeCompare(b.role) || (a.name || a.email).localeCompare(b.name || b.email))
              .map((a) => (
                <AccountRow key={a.email} account={a} onChange={reload} />
              ))}
          </ul>
        ) : accounts ? (
          <p class="muted">No accounts yet.</p>
        ) : null}
      </section>
    </>
  );
}

function AddForm({ onAdded }: { onAdded(): void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Account['role']>('student');
  const [error, setError] = useState('');
  return (
    <form
      aria-labelledby="add-h"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        if (!email.trim() || !password) return setError('Enter an e-mail and a password.');
        try {
          await api('POST', '/api/users', { email: email.trim(), name: name.trim() || undefined, password, role });
          toast(`Account added: ${name.trim() || email.trim()}.`);
          setEmail('');
          setName('');
          setPassword('');
          onAdded();
        } catch (err) {
          setError((err as ApiError).message);
        }
      }}
    >
      <Field label="E-mail">
        <input type="email" autocomplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field label="Name">
        <input type="text" autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label="Password" hint="At least 8 characters; give it to the student.">
        <input type="text" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <Field label="Role">
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Account['role'])}>
          <option value="student">Student</option>
          <option value="instructor">Instructor</option>
        </select>
      </Field>
      <p class="form-error" role="alert">
        {error}
      </p>
      <button type="submit" class="primary">
        Add account
      </button>
    </form>
  );
}

function ImportForm({ onImported }: { onImported(): void }) {
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string[]>([]);
  return (
    <form
      aria-labelledby="import-h"
      onSubmit={async (e) => {
        e.preventDefault();
        setError([]);
        setResult(null);
        if (!csv.trim()) return setError(['Paste the CSV or choose a file first.']);
        try {
          const r = await api<ImportResult>('POST', '/api/users/import', { csv });
          setResult(r);
          onImported();
        } catch (err) {
          const e2 = err as ApiError;
          const lines = (e2.body as ImportRefusal | undefined)?.errors;
          setError(lines?.length ? lines.map((x) => `Line ${x.line}: ${x.message}`) : [e2.message]);
        }
      }}
    >
      <p class="muted small">
        Columns: email, name, password, and optionally role, session (a join code) and any pairing column such as group.
      </p>
      <Field label="CSV file">
        <input type="file" accept=".csv,text/csv" onChange={async (e) => setCsv(await (e.currentTarget.files?.[0]?.text() ?? ''))} />
      </Field>
      <Field label="Or paste the CSV">
        <textarea rows={5} value={csv} onInput={(e) => setCsv(e.currentTarget.value)} spellcheck={false} />
      </Field>
      <div class="form-error" role="alert">
        {error.length > 1 || error[0]?.startsWith('Line ') ? (
          <>
            <p>Nothing was imported. Fix these lines and import again:</p>
            <ul class="import-errors">
              {error.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        ) : (
          error[0]
        )}
      </div>
      <button type="submit" class="primary">
        Import
      </button>
      {result ? (
        <p class="import-result" role="status">
          Imported {result.imported.length} account{result.imported.length === 1 ? '' : 's'}.
          {result.lines?.some((l) => l.result.startsWith('already')) ? (
            <ul class="import-lines">
              {result.lines.map((l) => (
                <li key={l.line}>
                  Line {l.line}, {l.email}: {l.result}
                </li>
              ))}
            </ul>
          ) : null}
        </p>
      ) : null}
    </form>
  );
}

function AccountRow({ account, onChange }: { account: Account; onChange(): void }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'password' | 'remove'>('view');
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  const who = account.name || account.email;
  async function save(): Promise<void> {
    setError('');
    try {
      if (mode === 'remove') await api('DELETE', userPath(account.email));
      else await api('PATCH', userPath(account.email), mode === 'rename' ? { name: value.trim() } : { password: value });
      toast(mode === 'remove' ? `${who} removed.` : mode === 'rename' ? `Renamed to ${value.trim()}.` : `Password of ${who} reset.`);
      setMode('view');
      onChange();
    } catch (e) {
      setError((e as ApiError).message);
    }
  }
  return (
    <li class="account" data-account={account.email}>
      <span class="account-name strong">{who}</span> <span class="muted small">{account.email}</span>{' '}
      <span class={`badge badge-${account.role}`}>{account.role}</span>
      {mode === 'view' ? (
        <span class="buttons inline">
          <button
            type="button"
            class="link-button"
            aria-label={`Rename ${who}`}
            onClick={() => (setValue(account.name), setMode('rename'))}
          >
            Rename
          </button>
          <button
            type="button"
            class="link-button"
            aria-label={`Reset password of ${who}`}
            onClick={() => (setValue(''), setMode('password'))}
          >
            Reset password
          </button>
          <button type="button" class="link-button danger-text" aria-label={`Remove ${who}`} onClick={() => setMode('remove')}>
            Remove
          </button>
        </span>
      ) : (
        <form
          class="account-edit"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {mode === 'remove' ? (
            <p>Remove {who}? Their past negotiations stay in the records.</p>
          ) : (
            <Field label={mode === 'rename' ? `New name for ${who}` : `New password for ${who}`}>
              <input type="text" autocomplete="off" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            </Field>
          )}
          <button type="submit" class={mode === 'remove' ? 'danger' : 'primary'}>
            {mode === 'remove' ? 'Yes, remove' : 'Save'}
          </button>{' '}
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
          <p class="form-error" role="alert">
            {error}
          </p>
        </form>
      )}
    </li>
  );
}
