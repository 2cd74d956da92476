import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { IsPolarMetadataFilter } from './polar-metadata.validator.js';

/** Sort keys Polar accepts for customers (`-` for descending). */
export const CUSTOMER_SORT_KEYS = ['created_at', '-created_at', 'email', '-email', 'name', '-name'] as const;
/** One customer sort key. */
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number];

/** Query of `CustomersService.list()` / `iterate()`. */
export class ListCustomersDto {
  /** 1-based page. @default 1 */
  @IsOptional() @IsInt() @Min(1) page?: number;

  /** Page size, 1–100. @default 10 */
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;

  /** One key or several. @default '-created_at' */
  @IsOptional()
  @IsIn(CUSTOMER_SORT_KEYS as unknown as string[], {
    each: true,
    message: `sorting must be one or more of ${CUSTOMER_SORT_KEYS.join(', ')}`,
  })
  sorting?: CustomerSortKey | CustomerSortKey[];

  /** Exact email, case-insensitive. */
  @IsOptional() @IsString() email?: string;

  /** Free-text search over email, name and external id. */
  @IsOptional() @IsString() query?: string;

  /** Only customers with (or without) an active subscription. */
  @IsOptional() @IsBoolean() active?: boolean;

  /** Filter by metadata: `{ plan: 'pro' }` → `metadata[plan]=pro`. */
  @IsOptional() @IsPolarMetadataFilter() metadata?: Record<
    string,
    string | number | boolean | string[] | number[] | boolean[]
  >;

  @IsOptional() @IsUUID('4', { message: 'organization_id must be a version-4 UUID' }) organization_id?: string;
}
