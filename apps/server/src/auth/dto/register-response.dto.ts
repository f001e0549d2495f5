export class RegisterResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
}
