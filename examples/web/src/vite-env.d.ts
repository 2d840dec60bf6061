/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_LEADGATE_URL?: string;
  readonly VITE_LEADGATE_API_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
