import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A user's private key, encrypted on the user's device with a key derived
 * from the password: the keyserver holds it but cannot decrypt it.
 */
@Entity('encrypted_private_keys')
export class EncryptedPrivateKeyEntity {
  /** One blob per user, enforced by the primary key. */
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** AES-256-GCM ciphertext followed by its 16-byte tag. */
  @Column({ name: 'encrypted_private_key', type: 'bytea' })
  encryptedPrivateKey: Buffer;

  @Column({ type: 'bytea' })
  iv: Buffer;

  @Column({ type: 'bytea' })
  salt: Buffer;

  @Column({ name: 'kdf_algorithm', type: 'text' })
  kdfAlgorithm: string;

  @Column({ name: 'kdf_memory_kib', type: 'integer' })
  kdfMemoryKiB: number;

  @Column({ name: 'kdf_iterations', type: 'integer' })
  kdfIterations: number;

  @Column({ name: 'kdf_parallelism', type: 'integer' })
  kdfParallelism: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
