import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SessionEntity } from '../auth/session.entity.js';
import { PublicKeyEntity } from '../public-keys/public-key.entity.js';

/** A token sealed to the user's public key; one answer, from its own session. */
@Entity('session_challenges')
export class SessionChallengeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  /** The key it was sealed to: replacing that key deletes the challenge. */
  @Index()
  @Column({ name: 'public_key_id', type: 'uuid' })
  publicKeyId: string;

  @ManyToOne(() => PublicKeyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'public_key_id' })
  publicKey?: PublicKeyEntity;

  /** SHA-256 of the sealed token. */
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Index()
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Set by the one answer the challenge takes, right or wrong. */
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
