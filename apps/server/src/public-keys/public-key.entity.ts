import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from '../auth/user.entity.js';

/**
 * A user's public key: pending from `putPublicKey` until a session challenge
 * sealed to it is answered, then confirmed and no longer replaceable.
 */
@Entity('public_keys')
export class PublicKeyEntity {
  /** A new id per key, so challenges sealed to a replaced key go with it. */
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** One key per user, enforced by the schema. */
  @Column({ name: 'user_id', type: 'uuid', unique: true })
  userId: string;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: UserEntity;

  @Column({ type: 'text' })
  algorithm: string;

  @Column({ name: 'public_key', type: 'bytea' })
  publicKey: Buffer;

  /** Lowercase hex SHA-256 of `publicKey`. */
  @Column({ type: 'char', length: 64 })
  fingerprint: string;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
