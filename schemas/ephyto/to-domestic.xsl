<?xml version="1.0" encoding="UTF-8"?>
<!--
  ephyto: UN/CEFACT SPS certificate (IPPC ePhyto hub form)
  -> domestic PhytosanitaryCertificate (urn:swnode:domestic:ephyto:1).

  Input: a document valid against international.xsd.  Output: a document
  valid against domestic.xsd.  Every text and code is passed through
  normalize-space(), because a received document may wrap long values over
  several lines; attachments lose all white space.  Trade line items of all
  IncludedSPSConsignmentItem elements become one flat list of Item, in
  document order.  The field table is in docs/doctypes/ephyto.md.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="urn:swnode:domestic:ephyto:1"
    xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
    exclude-result-prefixes="rsm ram udt">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:template match="/">
    <xsl:apply-templates select="rsm:SPSCertificate"/>
  </xsl:template>

  <xsl:template match="rsm:SPSCertificate">
    <xsl:variable name="doc" select="rsm:SPSExchangedDocument"/>
    <xsl:variable name="con" select="rsm:SPSConsignment"/>
    <PhytosanitaryCertificate>
      <CertificateId><xsl:value-of select="normalize-space($doc/ram:ID)"/></CertificateId>
      <xsl:for-each select="$doc/ram:Name">
        <Title><xsl:value-of select="normalize-space(.)"/></Title>
      </xsl:for-each>
      <TypeCode><xsl:value-of select="normalize-space($doc/ram:TypeCode)"/></TypeCode>
      <StatusCode><xsl:value-of select="normalize-space($doc/ram:StatusCode)"/></StatusCode>
      <IssueDateTime><xsl:apply-templates select="$doc/ram:IssueDateTime" mode="date-time"/></IssueDateTime>
      <IssuerName><xsl:value-of select="normalize-space($doc/ram:IssuerSPSParty/ram:Name)"/></IssuerName>
      <xsl:apply-templates select="$doc/ram:IncludedSPSNote"/>
      <xsl:apply-templates select="$doc/ram:ReferenceSPSReferencedDocument"/>
      <xsl:apply-templates select="$doc/ram:SignatorySPSAuthentication"/>
      <Consignor><xsl:apply-templates select="$con/ram:ConsignorSPSParty" mode="party"/></Consignor>
      <Consignee><xsl:apply-templates select="$con/ram:ConsigneeSPSParty" mode="party"/></Consignee>
      <ExportCountry><xsl:apply-templates select="$con/ram:ExportSPSCountry" mode="country"/></ExportCountry>
      <ImportCountry><xsl:apply-templates select="$con/ram:ImportSPSCountry" mode="country"/></ImportCountry>
      <xsl:for-each select="$con/ram:TransitSPSCountry">
        <TransitCountry><xsl:apply-templates select="." mode="country"/></TransitCountry>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:UnloadingBaseportSPSLocation">
        <UnloadingPort>
          <xsl:for-each select="ram:ID">
            <Code><xsl:value-of select="normalize-space(.)"/></Code>
          </xsl:for-each>
          <Name><xsl:value-of select="normalize-space(ram:Name)"/></Name>
        </UnloadingPort>
      </xsl:for-each>
      <xsl:for-each select="$con/ram:ExaminationSPSEvent/ram:OccurrenceSPSLocation/ram:Name">
        <ExaminationLocation><xsl:value-of select="normalize-space(.)"/></ExaminationLocation>
      </xsl:for-each>
      <xsl:apply-templates select="$con/ram:MainCarriageSPSTransportMovement"/>
      <xsl:apply-templates select="$con/ram:IncludedSPSConsignmentItem/ram:IncludedSPSTradeLineItem"/>
    </PhytosanitaryCertificate>
  </xsl:template>

  <!-- ===== SPSExchangedDocument parts ===== -->

  <xsl:template match="ram:IncludedSPSNote">
    <Note>
      <xsl:for-each select="ram:Subject">
        <Subject><xsl:value-of select="normalize-space(.)"/></Subject>
      </xsl:for-each>
      <Content><xsl:apply-templates select="ram:Content" mode="text"/></Content>
    </Note>
  </xsl:template>

  <xsl:template match="ram:ReferenceSPSReferencedDocument">
    <ReferencedDocument>
      <TypeCode><xsl:value-of select="normalize-space(ram:TypeCode)"/></TypeCode>
      <xsl:for-each select="ram:RelationshipTypeCode">
        <RelationshipCode><xsl:value-of select="normalize-space(.)"/></RelationshipCode>
      </xsl:for-each>
      <xsl:for-each select="ram:ID">
        <DocumentId><xsl:value-of select="normalize-space(.)"/></DocumentId>
      </xsl:for-each>
      <xsl:for-each select="ram:IssueDateTime">
        <IssueDateTime><xsl:apply-templates select="." mode="date-time"/></IssueDateTime>
      </xsl:for-each>
      <xsl:for-each select="ram:Information">
        <Information><xsl:apply-templates select="." mode="text"/></Information>
      </xsl:for-each>
      <xsl:for-each select="ram:AttachmentBinaryObject">
        <Attachment filename="{normalize-space(@filename)}">
          <xsl:value-of select="translate(., ' &#9;&#10;&#13;', '')"/>
        </Attachment>
      </xsl:for-each>
    </ReferencedDocument>
  </xsl:template>

  <xsl:template match="ram:SignatorySPSAuthentication">
    <Signatory>
      <SignedDateTime><xsl:apply-templates select="ram:ActualDateTime" mode="date-time"/></SignedDateTime>
      <xsl:for-each select="ram:IssueSPSLocation/ram:Name">
        <SignedAt><xsl:value-of select="normalize-space(.)"/></SignedAt>
      </xsl:for-each>
      <xsl:for-each select="ram:ProviderSPSParty/ram:Name">
        <AuthorityName><xsl:value-of select="normalize-space(.)"/></AuthorityName>
      </xsl:for-each>
      <OfficerName>
        <xsl:value-of select="normalize-space(ram:ProviderSPSParty/ram:SpecifiedSPSPerson/ram:Name)"/>
      </OfficerName>
      <xsl:for-each select="ram:IncludedSPSClause">
        <Clause>
          <Id><xsl:value-of select="normalize-space(ram:ID)"/></Id>
          <xsl:for-each select="ram:Content">
            <Text><xsl:value-of select="normalize-space(.)"/></Text>
          </xsl:for-each>
        </Clause>
      </xsl:for-each>
    </Signatory>
  </xsl:template>

  <!-- ===== SPSConsignment parts ===== -->

  <xsl:template match="*" mode="party">
    <Name><xsl:value-of select="normalize-space(ram:Name)"/></Name>
    <xsl:for-each select="ram:SpecifiedSPSAddress">
      <Address>
        <xsl:for-each select="ram:LineOne | ram:LineTwo | ram:LineThree | ram:LineFour | ram:LineFive">
          <Line><xsl:value-of select="normalize-space(.)"/></Line>
        </xsl:for-each>
      </Address>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="*" mode="country">
    <Code><xsl:value-of select="normalize-space(ram:ID)"/></Code>
    <xsl:for-each select="ram:Name">
      <Name><xsl:value-of select="normalize-space(.)"/></Name>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="ram:MainCarriageSPSTransportMovement">
    <Transport>
      <xsl:for-each select="ram:ID">
        <Reference><xsl:value-of select="normalize-space(.)"/></Reference>
      </xsl:for-each>
      <ModeCode><xsl:value-of select="normalize-space(ram:ModeCode)"/></ModeCode>
      <xsl:for-each select="ram:UsedSPSTransportMeans/ram:Name">
        <MeansName><xsl:value-of select="normalize-space(.)"/></MeansName>
      </xsl:for-each>
    </Transport>
  </xsl:template>

  <!-- ===== IncludedSPSTradeLineItem ===== -->

  <xsl:template match="ram:IncludedSPSTradeLineItem">
    <Item>
      <SequenceNumber><xsl:value-of select="normalize-space(ram:SequenceNumeric)"/></SequenceNumber>
      <xsl:for-each select="ram:Description">
        <Description><xsl:apply-templates select="." mode="text"/></Description>
      </xsl:for-each>
      <xsl:for-each select="ram:CommonName">
        <CommonName><xsl:apply-templates select="." mode="text"/></CommonName>
      </xsl:for-each>
      <xsl:for-each select="ram:ScientificName">
        <ScientificName><xsl:apply-templates select="." mode="text"/></ScientificName>
      </xsl:for-each>
      <xsl:for-each select="ram:IntendedUse">
        <IntendedUse><xsl:apply-templates select="." mode="text"/></IntendedUse>
      </xsl:for-each>
      <xsl:for-each select="ram:NetWeightMeasure">
        <NetWeight><xsl:apply-templates select="." mode="measure"/></NetWeight>
      </xsl:for-each>
      <xsl:for-each select="ram:GrossWeightMeasure">
        <GrossWeight><xsl:apply-templates select="." mode="measure"/></GrossWeight>
      </xsl:for-each>
      <xsl:for-each select="ram:NetVolumeMeasure">
        <NetVolume><xsl:apply-templates select="." mode="measure"/></NetVolume>
      </xsl:for-each>
      <xsl:for-each select="ram:GrossVolumeMeasure">
        <GrossVolume><xsl:apply-templates select="." mode="measure"/></GrossVolume>
      </xsl:for-each>
      <xsl:for-each select="ram:AdditionalInformationSPSNote">
        <Note>
          <xsl:for-each select="ram:Subject">
            <Subject><xsl:value-of select="normalize-space(.)"/></Subject>
          </xsl:for-each>
          <xsl:for-each select="ram:Content">
            <Content><xsl:apply-templates select="." mode="text"/></Content>
          </xsl:for-each>
        </Note>
      </xsl:for-each>
      <xsl:for-each select="ram:ApplicableSPSClassification">
        <Classification>
          <SystemName><xsl:value-of select="normalize-space(ram:SystemName)"/></SystemName>
          <xsl:for-each select="ram:ClassCode">
            <ClassCode><xsl:value-of select="normalize-space(.)"/></ClassCode>
          </xsl:for-each>
          <xsl:for-each select="ram:ClassName">
            <ClassName><xsl:apply-templates select="." mode="text"/></ClassName>
          </xsl:for-each>
        </Classification>
      </xsl:for-each>
      <xsl:for-each select="ram:PhysicalSPSPackage">
        <Package>
          <LevelCode><xsl:value-of select="normalize-space(ram:LevelCode)"/></LevelCode>
          <xsl:for-each select="ram:TypeCode">
            <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
          </xsl:for-each>
          <Quantity><xsl:value-of select="normalize-space(ram:ItemQuantity)"/></Quantity>
        </Package>
      </xsl:for-each>
      <xsl:for-each select="ram:OriginSPSCountry">
        <OriginCountry>
          <xsl:apply-templates select="." mode="country"/>
          <xsl:for-each select="ram:SubordinateSPSCountrySubDivision">
            <Region>
              <Name><xsl:value-of select="normalize-space(ram:Name)"/></Name>
              <xsl:for-each select="ram:HierarchicalLevelCode">
                <LevelCode><xsl:value-of select="normalize-space(.)"/></LevelCode>
              </xsl:for-each>
            </Region>
          </xsl:for-each>
        </OriginCountry>
      </xsl:for-each>
      <xsl:apply-templates select="ram:AppliedSPSProcess"/>
    </Item>
  </xsl:template>

  <xsl:template match="ram:AppliedSPSProcess">
    <Treatment>
      <TypeCode><xsl:value-of select="normalize-space(ram:TypeCode)"/></TypeCode>
      <xsl:for-each select="ram:CompletionSPSPeriod/ram:StartDateTime">
        <StartDateTime><xsl:apply-templates select="." mode="date-time"/></StartDateTime>
      </xsl:for-each>
      <xsl:for-each select="ram:CompletionSPSPeriod/ram:EndDateTime">
        <EndDateTime><xsl:apply-templates select="." mode="date-time"/></EndDateTime>
      </xsl:for-each>
      <xsl:for-each select="ram:CompletionSPSPeriod/ram:DurationMeasure">
        <Duration><xsl:apply-templates select="." mode="measure"/></Duration>
      </xsl:for-each>
      <xsl:for-each select="ram:ApplicableSPSProcessCharacteristic">
        <Characteristic>
          <xsl:for-each select="ram:Description">
            <Description><xsl:apply-templates select="." mode="text"/></Description>
          </xsl:for-each>
          <xsl:for-each select="ram:ValueMeasure">
            <Value><xsl:apply-templates select="." mode="measure"/></Value>
          </xsl:for-each>
        </Characteristic>
      </xsl:for-each>
    </Treatment>
  </xsl:template>

  <!-- ===== Value helpers (content and attributes of the current element) ===== -->

  <!-- Text with an optional language: @languageID -> @language. -->
  <xsl:template match="*" mode="text">
    <xsl:if test="@languageID">
      <xsl:attribute name="language"><xsl:value-of select="normalize-space(@languageID)"/></xsl:attribute>
    </xsl:if>
    <xsl:value-of select="normalize-space(.)"/>
  </xsl:template>

  <xsl:template match="*" mode="measure">
    <xsl:attribute name="unitCode"><xsl:value-of select="normalize-space(@unitCode)"/></xsl:attribute>
    <xsl:value-of select="normalize-space(.)"/>
  </xsl:template>

  <xsl:template match="*" mode="date-time">
    <xsl:value-of select="normalize-space(udt:DateTimeString)"/>
  </xsl:template>

</xsl:stylesheet>
