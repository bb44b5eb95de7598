import { BaseCommand } from '../cli/base-command.js';
import { interactive } from '../lib/term/index.js';
import { UsageError } from '../lib/errors.js';
import { runManage } from '../lib/manage/session.js';

export default class Manage extends BaseCommand<typeof Manage> {
  static override summary = 'Browse and edit namespaces and keys interactively.';
  static override description = `Opens a menu of namespaces: open, create, or delete one (you type its name to confirm). Inside a
namespace: browse keys page by page with a prefix filter; view a key (value preview, size,
metadata, expiration); put a key; edit a value in $VISUAL/$EDITOR (vi by default; binary values
are not opened); change metadata or TTL; delete keys; export the namespace to a .json, .jsonl or
.csv file or import one (as kvadm export and kvadm import do). Works on any backend. Needs a
terminal (exit 2 otherwise); Ctrl-C at any prompt leaves with exit 130.`;
  static override examples = ['<%= config.bin %> manage', '<%= config.bin %> manage -n users', '<%= config.bin %> manage --profile prod'];
  static override enableJsonFlag = false;

  async run(): Promise<void> {
    if (!interactive()) {
      throw new UsageError('kvadm manage needs a terminal (stdin and stderr must be a TTY)', 'in scripts use the ns and kv commands');
    }
    await runManage({ backend: await this.backend(), ...(this.flags.namespace ? { namespace: this.flags.namespace } : {}) });
  }
}
