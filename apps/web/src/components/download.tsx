import { useState } from 'preact/hooks';
import { download } from '../api';
import { toast } from '../toast';

/** A button that downloads an authenticated file (the token never goes into a URL). */
export function DownloadButton({ path, file, primary, children }: { path: string; file: string; primary?: boolean; children: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class={primary ? 'primary' : undefined}
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await download(path, file);
        } catch (e) {
          toast(`Download failed: ${(e as Error).message}`, 'error');
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
    </button>
  );
}
