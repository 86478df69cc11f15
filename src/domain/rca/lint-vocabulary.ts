// The lint's customer vocabulary (content/lint-vocabulary.json): words customers know although
// they look internal, operations jargon with its customer wording, and what the parts of internal
// names stand for. The one place that reads the file, so the admin can take it over later.
import vocabularyFile from '#content/lint-vocabulary.json' with { type: 'json' };

export interface JargonEntry {
  term: string;
  customer: string;
}

export interface Vocabulary {
  /** Words and names customers know (protocols, standards, products, places). */
  public: string[];
  jargon: JargonEntry[];
  /** Parts of internal names ("db", "svc") and what such a system is for customers. */
  roles: { parts: string[]; customer: string }[];
}

export const VOCABULARY: Vocabulary = {
  public: vocabularyFile.public,
  jargon: vocabularyFile.jargon,
  roles: vocabularyFile.roles,
};

// Cloud regions and zones are public names: AWS (us-east-1, eu-west-1a), Google Cloud
// (europe-west2, us-central1-b), and their upper-case spellings.
const DIRECTION = '(?:north|south|east|west|central|northeast|northwest|southeast|southwest)';
const REGION = new RegExp(
  `^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov)?-${DIRECTION}-\\d[a-z]?|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-${DIRECTION}\\d(?:-[a-f])?)$`,
  'i',
);
// Quarters and halves of a year (Q3, H1), HTTP status families, versions of public standards.
const PUBLIC_SHAPES = [/^[QH][1-4]$/, /^[1-5]xx$/i, /^(?:HTTP\/[1-3](?:\.[01])?|TLS\s?1\.[0-3]|IPv[46])$/i];

/** A vocabulary lookup built once per lint run: the file's public words plus the page's component names. */
export function publicTerms(vocabulary: Vocabulary, extra: string[] = []): (word: string) => boolean {
  const words = new Set([...vocabulary.public, ...extra].map((w) => w.toLowerCase()));
  return (word) => {
    const w = word.toLowerCase();
    return (
      words.has(w) ||
      // Plurals of public abbreviations ("CDNs", "SDKs").
      (w.endsWith('s') && words.has(w.slice(0, -1))) ||
      REGION.test(word) ||
      PUBLIC_SHAPES.some((p) => p.test(word))
    );
  };
}

export function isRegion(word: string): boolean {
  return REGION.test(word);
}

/** Customer wording for an internal name, from what its parts stand for ("orders-db-west3" → a database). */
export function roleWording(vocabulary: Vocabulary, name: string): string | undefined {
  const parts = name.toLowerCase().split(/[-_.]|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/);
  // The last meaningful part says what the thing is ("ledger-sync" is a sync job, "payments-api" an API).
  for (const part of parts.reverse()) {
    const role = vocabulary.roles.find((r) => r.parts.includes(part));
    if (role) return role.customer;
  }
  return undefined;
}
