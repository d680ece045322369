import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@parley/config';
import { DataPaths, TeamStore, normalizeEmail } from '@parley/store';
import { signToken } from '../../gateway/src/auth/token';
import { addUser, importUsers, listUsers, removeUser, updateUser } from './users';
import { sweepCommand } from './sweep-command';

const USAGE = `usage: npm run parley -- <command>
  users add --email E --password P [--name N] [--role student|instructor]
  users import FILE.csv          (columns: email,name,role,password)
  users list                     (e-mail, role and name of every account)
  users rename --email E --name N
  users password --email E --password P   (resets the password)
  users remove --email E         (its folder moves to DATA_DIR/teams_removed/)
  token --email E                (prints a JWT for that user)
  sweep                          (one agreement pass over DATA_DIR; no Redis needed)`;

/** The operator's CLI over DATA_DIR. Returns the exit code. */
export async function runCli(argv: string[], out: (line: string) => void = console.log, env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const config = loadConfig(env);
  const [cmd, sub, arg] = positionals;
  if (values.help || !cmd) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  if (cmd === 'users' && sub === 'add') {
    out(await addUser(config.dataDir, { email: values.email, password: values.password, name: values.name, role: values.role }));
    return 0;
  }
  if (cmd === 'users' && sub === 'import' && arg) {
    for (const line of await importUsers(config.dataDir, arg)) out(line);
    return 0;
  }
  if (cmd === 'users' && sub === 'list') {
    for (const line of await listUsers(config.dataDir)) out(line);
    return 0;
  }
  if (cmd === 'users' && sub === 'rename' && values.name !== undefined) {
    out(await updateUser(config.dataDir, values.email, { name: values.name }));
    return 0;
  }
  if (cmd === 'users' && sub === 'password' && values.password !== undefined) {
    out(await updateUser(config.dataDir, values.email, { password: values.password }));
    return 0;
  }
  if (cmd === 'users' && sub === 'remove') {
    out(await removeUser(config.dataDir, values.email));
    return 0;
  }
  if (cmd === 'token') {
    const team = await new TeamStore(new DataPaths(config.dataDir)).read(normalizeEmail(values.email));
    if (!team)
      throw new Error(`no user ${JSON.stringify(values.email ?? '')}; add one with: npm run parley -- users add --email E --password P`);
    out(signToken(config.jwtSecret, config.jwtTtlSeconds, team));
    return 0;
  }
  if (cmd === 'sweep') return sweepCommand(config.dataDir, out);
  out(USAGE);
  return 2;
}

if (require.main === module) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((e) => {
      console.error(e instanceof ConfigError || e instanceof Error ? `error: ${e.message}` : e);
      process.exit(1);
    });
}
