export interface UseLiteModel {
  embed(input: string[]): Promise<number[][]>;
  model: { dispose(): void };
}
export function loadUseLiteModel(): Promise<UseLiteModel>;
export function embedFlat(model: UseLiteModel, texts: string[]): Promise<Float32Array>;
