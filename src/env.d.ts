/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./domain/auth/sessions.ts').SessionUser | null;
    sessionId: string | null;
  }
}
