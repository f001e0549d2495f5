import type { ServerApi } from '@app/api-client';
import type { Me } from './account.js';
import { field, h, valuesOf } from './dom.js';
import type { NextVersion, OpenedSecret, SharedSecrets } from './secrets.js';

interface Deps {
  secrets: SharedSecrets;
  /** Runs one step with the busy indicator and shows its failure in words (main's `run`). */
  run: (label: string, work: () => Promise<void>) => Promise<void>;
  /** Sets the status line shown once the step ends. */
  say: (text: string) => void;
  /** Draws the page again (after a change that needs no request). */
  render: () => void;
}

/**
 * The shared secrets screen: the list, a new secret, one secret opened (its
 * commitment, members and their fingerprints, the owners' operations), and
 * the members of a new version to confirm. Shown only while the key is
 * unlocked; `reset` forgets all of it (a revealed secret included) on lock.
 */
export function secretsView({ secrets, run, say, render }: Deps) {
  let list: ServerApi.SecretListItem[] | undefined;
  let opened: OpenedSecret | undefined;
  let confirming: NextVersion | undefined;

  const refreshList = async () => {
    list = await secrets.list();
  };
  /** What was shown goes first: a secret that no longer opens (removed, deleted) is not left on the page. */
  const reopen = async (me: Me, secretId: string, reveal = false) => {
    opened = undefined;
    opened = await secrets.open(me, secretId, reveal);
  };

  function onShowList(): void {
    void run('Loading your shared secrets', refreshList);
  }

  function onCreate(me: Me, event: Event): void {
    event.preventDefault();
    const { name, members } = valuesOf(event.target as HTMLFormElement);
    const memberIds = members.split(/[\s,]+/).filter(Boolean);
    void run('Sealing a new secret to its members', async () => {
      const secretId = await secrets.create(me, name.trim(), memberIds);
      await reopen(me, secretId);
      await refreshList();
      say(`Secret created and sealed to ${opened!.described.members.length} member(s).`);
    });
  }

  function onOpen(me: Me, secretId: string, reveal = false): void {
    void run(reveal ? 'Opening the secret to show it' : 'Opening your envelope', async () => {
      confirming = undefined;
      await reopen(me, secretId, reveal);
    });
  }

  function onAddMember(me: Me, secretId: string, event: Event): void {
    event.preventDefault();
    const { userId } = valuesOf(event.target as HTMLFormElement);
    void run('Sealing the secret to the new member', async () => {
      const key = await secrets.addMember(me, secretId, userId);
      await reopen(me, secretId);
      say(`Member added: the current version is sealed to their key, fingerprint ${key.fingerprint}.`);
    });
  }

  /** A removal or a rotation: sealed once the user has seen who receives it (and checked any key not pinned here). */
  function onNewVersion(me: Me, secretId: string, removed?: string): void {
    confirming = undefined;
    void run(removed ? 'Preparing the removal (a new version)' : 'Preparing a new version', async () => {
      confirming = await secrets.nextVersion(me, secretId, removed);
      say(`Check who receives version ${confirming.version}, then seal it.`);
    }).then(() => document.getElementById('confirm-title')?.focus());
  }

  function onConfirm(me: Me): void {
    const next = confirming!;
    void run('Sealing the new version', () => seal(me, next));
  }

  async function seal(me: Me, next: NextVersion): Promise<void> {
    confirming = undefined;
    await secrets.sealVersion(me, next);
    await reopen(me, next.secretId);
    await refreshList();
    say(
      next.removed
        ? `Removed; the secret is rotated to version ${next.version}, which the removed member never receives.`
        : `Rotated to version ${next.version}.`,
    );
  }

  function onRole(me: Me, secretId: string, userId: string, role: 'owner' | 'member'): void {
    void run('Changing the role', async () => {
      await secrets.setRole(secretId, userId, role);
      await reopen(me, secretId);
      say(role === 'owner' ? 'Now an owner.' : 'Now a member.');
    });
  }

  function onLeave(secretId: string, name: string, members: number): void {
    const last = members === 1 ? ' You are its only member: leaving deletes it.' : '';
    if (!confirm(`Leave "${name}"? You will no longer be able to open it.${last}`)) return;
    void run('Leaving the secret', async () => {
      await secrets.leave(secretId);
      opened = undefined;
      await refreshList();
      say(
        last ? 'Left; the secret is deleted, as nobody else held it.' : 'Left. The other members are asked to rotate.',
      );
    });
  }

  function onDelete(secretId: string, name: string): void {
    if (!confirm(`Delete "${name}" and every version of it, for every member? This cannot be undone.`)) return;
    void run('Deleting the secret', async () => {
      await secrets.delete(secretId);
      opened = undefined;
      await refreshList();
      say('Deleted, every version of it.');
    });
  }

  function onForgetPin(me: Me, event: Event): void {
    event.preventDefault();
    const { userId } = valuesOf(event.target as HTMLFormElement);
    const warning =
      `Forget the key pinned for ${userId.trim()}? Do this only after comparing their new key's fingerprint with ` +
      'them in person or by a call: the next time it is used, whatever key the server then serves is pinned.';
    if (!confirm(warning)) return;
    void run('Forgetting the pinned key', () => {
      const forgotten = secrets.forgetPin(me, userId);
      say(forgotten ? `Forgot the pinned key ${forgotten}.` : 'No key was pinned for that user here.');
      return Promise.resolve();
    });
  }

  function forgetPinForm(me: Me): Node {
    return h(
      'form',
      { 'aria-labelledby': 'forget-pin-title', on: { submit: (event) => onForgetPin(me, event) } },
      h('h3', { id: 'forget-pin-title' }, 'Forget a pinned key'),
      h(
        'p',
        { class: 'hint' },
        'For someone who really made a new key: this browser refuses a key other than the one it pinned for them.',
      ),
      field('User id of the key to forget', { name: 'userId', autocomplete: 'off' }),
      h('button', { type: 'submit' }, 'Forget pin'),
    );
  }

  function listPart(me: Me): Node | false {
    if (!list) return false;
    if (list.length === 0) return h('p', {}, 'You are a member of no shared secret yet.');
    return h(
      'ul',
      { 'aria-label': 'Your shared secrets' },
      ...list.map((item) =>
        h(
          'li',
          {},
          `${item.name}: version ${item.version}, ${item.role}, ${item.memberCount} member(s)`,
          item.rotationRequired ? ' (a member left: an owner should rotate) ' : ' ',
          h(
            'button',
            { type: 'button', 'aria-label': `Open ${item.name}`, on: { click: () => onOpen(me, item.secretId) } },
            'Open',
          ),
        ),
      ),
    );
  }

  function createForm(me: Me): Node {
    return h(
      'form',
      { 'aria-labelledby': 'new-secret-title', on: { submit: (event) => onCreate(me, event) } },
      h('h3', { id: 'new-secret-title' }, 'New shared secret'),
      field('Name', { name: 'name', autocomplete: 'off' }),
      field("Members' user ids", {
        name: 'members',
        autocomplete: 'off',
        required: false,
        hint: 'Separated by spaces or commas. You are a member and its owner; naming someone confirms their key.',
      }),
      h('button', { type: 'submit' }, 'Create secret'),
    );
  }

  function confirmPart(me: Me, next: NextVersion): Node {
    return h(
      'section',
      { 'aria-labelledby': 'confirm-title', class: 'warning' },
      h(
        'h3',
        { id: 'confirm-title', tabindex: '-1' },
        `Confirm the members of version ${next.version} of ${next.name}`,
      ),
      next.removed && h('p', {}, `Removing ${next.removed}: they never receive this version or any later one.`),
      h(
        'p',
        {},
        next.keys.every((key) => key.pinned)
          ? 'A fresh secret is sealed to each of these keys, all pinned in this browser.'
          : 'This browser has not pinned some of these keys. Compare their fingerprints with their owners (in person or by a call) before sealing.',
      ),
      h(
        'ul',
        {},
        ...next.keys.map((key) =>
          h(
            'li',
            {},
            `${key.userId}: `,
            h('span', { class: 'fingerprint' }, key.fingerprint),
            key.userId === me.userId ? ' (you)' : key.pinned ? ' (pinned)' : ' (not pinned: check it)',
          ),
        ),
      ),
      h('button', { type: 'button', on: { click: () => onConfirm(me) } }, 'Seal to these members'),
      h(
        'button',
        {
          type: 'button',
          on: {
            click: () => {
              confirming = undefined;
              say('Nothing was sealed.');
              render();
            },
          },
        },
        'Cancel',
      ),
    );
  }

  function openedPart(me: Me, { described, secret }: OpenedSecret): Node {
    const { secretId } = described;
    const owner = described.members.some((m) => m.userId === me.userId && m.role === 'owner');
    return h(
      'section',
      { 'aria-labelledby': 'secret-title' },
      h('h3', { id: 'secret-title' }, described.name),
      h('p', {}, `Version ${described.version} of ${described.versionCount}. Secret id: `, h('code', {}, secretId)),
      h(
        'p',
        {},
        'Commitment (members who see the same one hold the same secret): ',
        h('span', { class: 'fingerprint', 'data-testid': 'secret-commitment' }, described.commitment),
      ),
      described.rotationRequired &&
        h('p', { class: 'warning' }, 'A member left since the last rotation: an owner should rotate.'),
      secret
        ? h(
            'p',
            {},
            'The secret: ',
            h('span', { class: 'fingerprint', 'data-testid': 'secret-value' }, secret),
            ' ',
            h(
              'button',
              {
                type: 'button',
                on: {
                  click: () => {
                    opened = { described };
                    render();
                  },
                },
              },
              'Hide the secret',
            ),
          )
        : h('button', { type: 'button', on: { click: () => onOpen(me, secretId, true) } }, 'Reveal the secret'),
      h('h4', {}, 'Members'),
      h('ul', { 'aria-label': 'Members' }, ...described.members.map((m) => memberItem(me, secretId, m, owner))),
      owner &&
        h(
          'form',
          { 'aria-labelledby': 'add-member-title', on: { submit: (event) => onAddMember(me, secretId, event) } },
          h('h4', { id: 'add-member-title' }, 'Add a member'),
          field('User id to add', { name: 'userId', autocomplete: 'off' }),
          h('button', { type: 'submit' }, 'Add member'),
        ),
      h(
        'div',
        { class: 'actions' },
        owner && h('button', { type: 'button', on: { click: () => onNewVersion(me, secretId) } }, 'Rotate now'),
        h(
          'button',
          { type: 'button', on: { click: () => onLeave(secretId, described.name, described.members.length) } },
          'Leave',
        ),
        owner &&
          h('button', { type: 'button', on: { click: () => onDelete(secretId, described.name) } }, 'Delete secret'),
        h(
          'button',
          {
            type: 'button',
            on: {
              click: () => {
                opened = undefined;
                confirming = undefined;
                render();
              },
            },
          },
          'Close',
        ),
      ),
    );
  }

  function memberItem(me: Me, secretId: string, member: ServerApi.SecretMember, owner: boolean): Node {
    // The fingerprint shown is this browser's own pin where it has one: the server's field only when it has none.
    const pin = secrets.pinned(me, member.userId);
    const other = member.userId !== me.userId;
    const trust = !other
      ? ' (you)'
      : pin === undefined
        ? " (the server's word: not pinned in this browser yet)"
        : pin === member.keyFingerprint
          ? ' (pinned)'
          : ` (pinned; the server names another key, ${member.keyFingerprint}: do not trust it)`;
    const nextRole = member.role === 'owner' ? 'member' : 'owner';
    return h(
      'li',
      {},
      `${member.userId}, ${member.role}: `,
      h('span', { class: 'fingerprint' }, pin ?? member.keyFingerprint),
      trust,
      owner &&
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Make ${nextRole}: ${member.userId}`,
            on: { click: () => onRole(me, secretId, member.userId, nextRole) },
          },
          `Make ${nextRole}`,
        ),
      owner &&
        other &&
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Remove: ${member.userId}`,
            title: 'Removing a member rotates the secret: the others receive a new one.',
            on: { click: () => onNewVersion(me, secretId, member.userId) },
          },
          'Remove',
        ),
    );
  }

  return {
    section(me: Me): Node {
      return h(
        'section',
        { 'aria-labelledby': 'secrets-title' },
        h('h2', { id: 'secrets-title' }, 'Shared secrets'),
        h(
          'p',
          { class: 'hint' },
          'A secret shared with other users: each member receives it sealed to their public key, and the service keeps only envelopes it cannot open.',
        ),
        h('button', { type: 'button', on: { click: onShowList } }, list ? 'Refresh' : 'Show secrets'),
        listPart(me),
        confirming && confirmPart(me, confirming),
        opened && openedPart(me, opened),
        createForm(me),
        forgetPinForm(me),
      );
    },
    /** Forgets everything shown, the revealed secret included: on lock, logout, or an ended session. */
    reset(): void {
      list = undefined;
      opened = undefined;
      confirming = undefined;
    },
  };
}
