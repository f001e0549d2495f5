/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type CommitKeyChangeRequest = {
    /**
     * The version the change was staged on: must be the key's current keyVersion.
     */
    baseVersion: number;
    /**
     * The login secret of the current password (as login's `password` carries it).
     */
    currentPassword: string;
    /**
     * The staged change's id, as the keyserver answered it (stageKeyChange).
     */
    keyChangeId: string;
    /**
     * The login secret of the new password, for a password change; absent for a KDF upgrade under the same password.
     */
    newPassword?: string;
    /**
     * The keyserver's receipt for the staged change (32 bytes, base64url): proof that it holds the change.
     */
    receipt: string;
};

