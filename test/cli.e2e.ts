import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { runCli } from '../apps/cli/src/parley';
import { verifyPassword } from '@parley/store';

/** The operator's CLI: users add, import (all-or-nothing), list, rename, password, remove; token. */
describe('parley CLI', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const code = await runCli(args, (l) => out.push(l), env).catch((e: Error) => {
      out.push(`error: ${e.message}`);
      return 1;
    });
    return { code, out: out.join('\n') };
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    env = { DATA_DIR: dataDir, JWT_SECRET: 'cli-secret-cli-secret-cli-secret' };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds a user with a hashed password and the default holdings', async () => {
    expect(await run('users', 'add', '--email', 'Alice@Uni.edu', '--password', 'secret12', '--name', 'Alice A')).toEqual({
      code: 0,
      out: 'added student alice@uni.edu',
    });
    const init = JSON.parse(readFileSync(join(dataDir, 'teams', 'alice@uni.edu', 'init.json'), 'utf8'));
    expect(init).toMatchObject({
      email: 'alice@uni.edu',
      name: 'Alice A',
      role: 'student',
      holdings: { cash: 50000, C: 2000, N: 2000, D: 2000, Q: 2000 },
    });
    expect(init.password_hash).not.toContain('secret12');
    expect(await verifyPassword('secret12', init.password_hash)).toBe(true);
  });

  it('gives any valid e-mail an account with its own file prefix, and keeps an existing prefix', async () => {
    await run('users', 'add', '--email', 'alice@uni.edu', '--password', 'secret12');
    expect(await run('users', 'add', '--email', 'alice@other.org', '--password', 'secret12')).toEqual({
      code: 0,
      out: 'added student alice@other.org (file prefix alice-2)',
    });
    expect((await run('users', 'add', '--email', 'john_doe@uni.edu', '--password', 'secret12')).code).toBe(0);
    const init = (e: string) => JSON.parse(readFileSync(join(dataDir, 'teams', e, 'init.json'), 'utf8'));
    expect([init('alice@uni.edu').prefix, init('alice@other.org').prefix, init('john_doe@uni.edu').prefix]).toEqual([
      'alice',
      'alice-2',
      'john-doe',
    ]);
    expect((await run('users', 'add', '--email', 'alice@uni.edu', '--password', 'secret12')).out).toMatch(/alice@uni.edu already exists/);
  });

  it('imports a roster, and writes nothing for a file with bad rows, naming each line', async () => {
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      'email,name,role,password\nann@uni.edu,Ann,student,secret12\nnot-an-email,X,student,secret12\nAnn@Uni.edu,Ann2,student,secret12\nbo@uni.edu,Bo,teacher,secret12\ncy@uni.edu,Cy,student,123\n',
    );
    const res = await run('users', 'import', bad);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/line 3: invalid e-mail/);
    expect(res.out).toMatch(/line 4: ann@uni.edu repeats line 2/);
    expect(res.out).toMatch(/line 5: role must be student or instructor/);
    expect(res.out).toMatch(/line 6: password must have at least 8 characters/);
    expect(readdirSync(dataDir).includes('teams') ? readdirSync(join(dataDir, 'teams')).filter((d) => d.includes('@')) : []).toEqual([]);

    const good = join(dataDir, 'good.csv');
    writeFileSync(good, 'email,name,role,password\nann@uni.edu,"Ann, the First",student,secret12\nprof@uni.edu,Prof,instructor,secret34\n');
    expect(await run('users', 'import', good)).toEqual({ code: 0, out: 'added student ann@uni.edu\nadded instructor prof@uni.edu' });
    expect(JSON.parse(readFileSync(join(dataDir, 'teams', 'ann@uni.edu', 'init.json'), 'utf8')).name).toBe('Ann, the First');
  });

  it('prints a token the gateway accepts, and refuses unknown users', async () => {
    await run('users', 'add', '--email', 'prof@uni.edu', '--password', 'secret12', '--role', 'instructor');
    const { code, out } = await run('token', '--email', 'prof@uni.edu');
    expect(code).toBe(0);
    const claims = jwt.verify(out, env.JWT_SECRET!, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: 'prof@uni.edu', role: 'instructor' });
    expect((await run('token', '--email', 'ghost@uni.edu')).out).toMatch(/no user "ghost@uni.edu"/);
  });

  it('lists, renames, resets a password and removes an account, keeping its folder', async () => {
    await run('users', 'add', '--email', 'prof@uni.edu', '--password', 'secret12', '--role', 'instructor', '--name', 'Prof Ada');
    await run('users', 'add', '--email', 'john_doe@uni.edu', '--password', 'secret12', '--name', 'John');
    expect(await run('users', 'list')).toEqual({ code: 0, out: 'john_doe@uni.edu\tstudent\tJohn\nprof@uni.edu\tinstructor\tProf Ada' });

    expect(await run('users', 'rename', '--email', 'John_Doe@uni.edu', '--name', ' John Doe ')).toEqual({
      code: 0,
      out: 'renamed john_doe@uni.edu to John Doe',
    });
    expect((await run('users', 'rename', '--email', 'john_doe@uni.edu', '--name', '  ')).out).toBe('error: a name cannot be empty');
    expect((await run('users', 'password', '--email', 'john_doe@uni.edu', '--password', 'short')).out).toMatch(/at least 8 characters/);
    expect(await run('users', 'password', '--email', 'john_doe@uni.edu', '--password', 'new-secret-1')).toEqual({
      code: 0,
      out: 'new password for john_doe@uni.edu',
    });
    const init = JSON.parse(readFileSync(join(dataDir, 'teams', 'john_doe@uni.edu', 'init.json'), 'utf8'));
    expect(init).toMatchObject({ name: 'John Doe', prefix: 'john-doe' });
    expect(await verifyPassword('new-secret-1', init.password_hash)).toBe(true);

    expect(await run('users', 'remove', '--email', 'john_doe@uni.edu')).toEqual({
      code: 0,
      out: 'removed john_doe@uni.edu (its folder is kept in teams_removed/)',
    });
    expect((await run('users', 'list')).out).toBe('prof@uni.edu\tinstructor\tProf Ada');
    expect(readdirSync(join(dataDir, 'teams_removed')).some((d) => d.startsWith('john_doe@uni.edu'))).toBe(true);
    expect((await run('users', 'remove', '--email', 'john_doe@uni.edu')).out).toBe('error: no account john_doe@uni.edu');
    expect((await run('users', 'remove', '--email', 'nobody')).out).toMatch(/^error: invalid e-mail "nobody"/);
  });
});
