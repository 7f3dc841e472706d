import Image from "next/image";
import anchor from "../../public/images/anchor.png";

export default function ImagePage() {
  return (
    <main>
      <h1>Image page</h1>
      <Image src={anchor} alt="Anchor logo" width={64} height={64} priority />
      <p>
        <img src="/images/anchor.png" alt="Anchor logo (unoptimized)" width={64} height={64} />
      </p>
    </main>
  );
}
